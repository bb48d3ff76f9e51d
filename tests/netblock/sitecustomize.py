"Loaded by every Python process the tests start (kernels included): connections beyond this machine fail."
import socket

LOCAL = {"127.0.0.1", "::1", "localhost", "0.0.0.0", "", None}
_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

def _check(address):
    host = address[0] if isinstance(address, tuple) else None
    if host not in LOCAL and not str(host).startswith("127."):
        raise OSError(f"network access blocked by medai's tests: {address}")

def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6): _check(address)
    return _connect(self, address)

def _guarded_connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6): _check(address)
    return _connect_ex(self, address)

def _guarded_getaddrinfo(host, *args, **kwargs):
    _check((host.decode() if isinstance(host, bytes) else host, 0))
    return _getaddrinfo(host, *args, **kwargs)

socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = _guarded_connect, _guarded_connect_ex, _guarded_getaddrinfo
