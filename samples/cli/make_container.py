#!/usr/bin/env python3
"""Creates a container on a local Azurite with Shared Key (Python's standard library only), for cli-demo.sh.

usage: make_container.py ENDPOINT CONTAINER   (ENDPOINT like http://127.0.0.1:10000/devstoreaccount1)
The key is Azurite's published development key, not a secret.
"""
import base64, hashlib, hmac, sys, urllib.request
from email.utils import formatdate

ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

endpoint, container = sys.argv[1].rstrip("/"), sys.argv[2]
date = formatdate(usegmt=True)
headers = {"x-ms-date": date, "x-ms-version": "2021-08-06"}
canonical_headers = "".join(f"{k}:{v}\n" for k, v in sorted(headers.items()))
# Azurite's canonicalized resource repeats the account (path-style URLs).
resource = f"/{ACCOUNT}/{ACCOUNT}/{container}\nrestype:container"
to_sign = "PUT\n" + "\n" * 11 + canonical_headers + resource
signature = base64.b64encode(hmac.new(base64.b64decode(KEY), to_sign.encode(), hashlib.sha256).digest()).decode()
# No body, so urllib adds no Content-Type (which would have to be signed).
request = urllib.request.Request(f"{endpoint}/{container}?restype=container", method="PUT", data=None,
                                 headers={**headers, "Authorization": f"SharedKey {ACCOUNT}:{signature}", "Content-Length": "0"})
try:
    urllib.request.urlopen(request)
except urllib.error.HTTPError as e:
    if e.code != 409:  # already exists
        raise
