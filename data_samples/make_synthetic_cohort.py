"""Recipe for data_samples/synthetic_cohort.csv: a simulated oncology cohort (no real patients).

400 patients in three arms; age, sex, stage I-IV, ECOG performance status and a
biomarker (missing for some patients, more often at early stage); overall survival
in months from a Weibull proportional-hazards model in which the targeted arm helps
only biomarker-high patients, so the data carry a treatment-effect modifier.
Run `python data_samples/make_synthetic_cohort.py` to rebuild it byte for byte.
"""
from pathlib import Path
import numpy as np, pandas as pd

def make_synthetic_cohort(n:int=400, seed:int=2026)->pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = np.clip(rng.normal(62, 10, n), 30, 90).round()
    sex = rng.choice(["female", "male"], n)
    stage = rng.choice(["I", "II", "III", "IV"], n, p=[.2, .3, .3, .2])
    ecog = rng.choice([0, 1, 2], n, p=[.5, .35, .15])
    biomarker = rng.lognormal(0, .6, n)
    arm = rng.choice(["standard", "targeted", "immunotherapy"], n)
    stage_num = pd.Series(stage).map({"I": 0, "II": 1, "III": 2, "IV": 3}).to_numpy()
    high = biomarker > 1.2
    log_hr = (.03*(age - 62) + .45*stage_num + .35*ecog
              - .7*((arm == "targeted") & high) - .25*(arm == "immunotherapy"))
    shape, scale = 1.3, 60.0  # Weibull: median about 45 months at baseline
    death = scale*(-np.log(rng.uniform(size=n))/np.exp(log_hr))**(1/shape)
    dropout = rng.exponential(150, n)
    follow_up = np.minimum.reduce([death, dropout, np.full(n, 60.0)])
    df = pd.DataFrame(dict(patient_id=[f"SYN{i:04d}" for i in range(1, n + 1)], age=age.astype(int), sex=sex,
                           stage=stage, ecog=ecog, biomarker=biomarker.round(3), arm=arm,
                           time=follow_up.round(2), event=(death <= follow_up).astype(int)))
    missing = rng.uniform(size=n) < np.where(stage_num < 2, .15, .04)
    df.loc[missing, "biomarker"] = np.nan
    return df

if __name__ == "__main__":
    out = Path(__file__).with_name("synthetic_cohort.csv")
    make_synthetic_cohort().to_csv(out, index=False)
    print(f"wrote {out}")
