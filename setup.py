"Package set-up, read from settings.ini (nbdev 2 style)."
from configparser import ConfigParser
import setuptools, shlex
assert tuple(map(int, setuptools.__version__.split('.')[:2])) >= (62, 3), 'setuptools>=62.3 is needed'

config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

for o in 'version description keywords author author_email'.split():
    assert o in cfg, f'missing expected setting: {o}'

licenses = {'apache2': 'Apache-2.0'}  # SPDX expression
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
py_versions = '3.10 3.11 3.12 3.13'.split()

requirements = shlex.split(cfg.get('requirements', ''))
dev_requirements = shlex.split(cfg.get('dev_requirements', ''))
lic = licenses[cfg['license']]
min_python = cfg['min_python']

# Shipped with the package, so an installed wheel finds them from any directory:
# data_samples/ as medai/data_samples and the case-study notebooks as medai/case_studies.
shipped = {'medai.data_samples': 'data_samples', 'medai.case_studies': 'nbs/case_studies'}
packages = setuptools.find_packages(include=['medai', 'medai.*']) + list(shipped)

setuptools.setup(
    name=cfg['lib_name'],
    license=lic,
    classifiers=['Development Status :: ' + statuses[int(cfg['status'])],
                 'Intended Audience :: ' + cfg['audience'].title(),
                 'Natural Language :: ' + cfg['language'].title()]
                + ['Programming Language :: Python :: ' + o for o in py_versions[py_versions.index(min_python):]],
    url=cfg['git_url'],
    packages=packages,
    package_dir={'medai': 'medai', **shipped},
    package_data={k: ['*', '**/*'] for k in shipped},
    exclude_package_data={k: ['*.pyc', '.ipynb_checkpoints/*'] for k in shipped},
    include_package_data=False,
    install_requires=requirements,
    extras_require={'dev': dev_requirements},
    dependency_links=cfg.get('dep_links', '').split(),
    python_requires='>=' + min_python,
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    zip_safe=False,
    entry_points={'console_scripts': cfg.get('console_scripts', '').split(),
                  'nbdev': [f'{cfg.get("lib_path")}={cfg.get("lib_path")}._modidx:d']},
    **{k: cfg[k] for k in 'version description keywords author author_email'.split()},
)
