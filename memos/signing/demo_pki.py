"""A throw-away demo PKI for ``make run`` and the tests: root CA → agency document-signing
certificate, a time-stamping certificate and the root's CRL.

Built with ``cryptography`` directly rather than certomancer: four certificates and one CRL are a
few dozen lines, need no YAML configuration or extra dependency, and are generated on first use
into a directory (``var/pki/`` or a test's temporary directory). Nothing here is secret or
committed; a real agency configures a PKCS#12 file or a PKCS#11 token instead (see keys.py).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# The demo PKCS#12 file's password: the demo key protects nothing, the file format wants one.
DEMO_PASSWORD = b"demo-only"
CRL_URL = "http://pki.demo.invalid/root.crl"  # never fetched: the CRL is handed to the validator

FILES = ("root.pem", "agency.p12", "tsa.pem", "tsa-key.pem", "root.crl")


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TH"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Demo PKI (not for real use)"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _cert(subject, issuer, key, issuer_key, *, ca: bool, days: int, eku=None, not_before=None):
    now = not_before or dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )
    if ca:
        b = b.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    else:
        b = b.add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        ).add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(CRL_URL)], None, None, None)]
            ),
            critical=False,
        )
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return b.sign(issuer_key, hashes.SHA256())


def generate(directory: Path, agency_name: str = "เทศบาลตำบลตัวอย่าง", agency_days: int = 3 * 365) -> Path:
    """Write a fresh demo PKI into ``directory`` (created) and return it. ``agency_days``: the
    agency certificate's lifetime (tests make one about to expire)."""
    directory.mkdir(parents=True, exist_ok=True)
    root_key, agency_key, tsa_key = _key(), _key(), _key()
    root_name = _name("Demo Root CA")
    root = _cert(root_name, root_name, root_key, root_key, ca=True, days=20 * 365)
    agency = _cert(_name(agency_name), root_name, agency_key, root_key, ca=False, days=agency_days)
    tsa = _cert(
        _name("Demo Time-Stamping Authority"), root_name, tsa_key, root_key, ca=False, days=10 * 365,
        eku=[ExtendedKeyUsageOID.TIME_STAMPING],
    )
    now = dt.datetime.now(dt.UTC)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root_name)
        .last_update(now - dt.timedelta(hours=1))
        .next_update(now + dt.timedelta(days=365))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    p12 = pkcs12.serialize_key_and_certificates(
        b"agency", agency_key, agency, [root], serialization.BestAvailableEncryption(DEMO_PASSWORD)
    )
    out = {
        "root.pem": root.public_bytes(pem),
        "agency.p12": p12,
        "tsa.pem": tsa.public_bytes(pem),
        "tsa-key.pem": tsa_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        "root.crl": crl.public_bytes(serialization.Encoding.DER),
    }
    for name, data in out.items():
        tmp = directory / f".{name}.tmp"
        tmp.write_bytes(data)
        os.chmod(tmp, 0o600)
        tmp.replace(directory / name)  # a reader never sees half a file
    return directory


def ensure(directory: Path) -> Path:
    """The demo PKI in ``directory``, generated on first use. A file lock: the web server and the
    worker starting together must not each make a root (one would sign what the other distrusts)."""
    if all((directory / f).exists() for f in FILES):
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not all((directory / f).exists() for f in FILES):
            generate(directory)
    return directory
