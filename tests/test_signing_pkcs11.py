"""The PKCS#11 path with a real (software) token: SoftHSM2 (apt: softhsm2). The demo PKI's agency
key and certificate are put on a fresh token; signing and verification then go through the token."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from memos.signing import demo_pki, keys, pades
from memos.signing.verify import AUTHENTIC, verify_pdf

MODULES = [Path("/usr/lib/softhsm/libsofthsm2.so"), *Path("/usr/lib").glob("*/softhsm/libsofthsm2.so")]
MODULE = next((m for m in MODULES if m.exists()), None)
pytestmark = pytest.mark.skipif(MODULE is None, reason="no SoftHSM2 (apt-get install softhsm2)")
PIN = "1234"


@pytest.fixture
def token(tmp_path, monkeypatch) -> Path:
    pki = demo_pki.generate(tmp_path / "pki")
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    run = lambda *a: subprocess.run(["softhsm2-util", *a], check=True, capture_output=True, env=os.environ)  # noqa: E731
    run("--init-token", "--free", "--label", "agency", "--pin", PIN, "--so-pin", "5678")
    key, cert, _ = pkcs12.load_key_and_certificates((pki / "agency.p12").read_bytes(), demo_pki.DEMO_PASSWORD)
    key_pem = tmp_path / "key.pem"
    key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    run("--import", str(key_pem), "--token", "agency", "--label", "signing", "--id", "01", "--pin", PIN)
    key_pem.unlink()
    # the certificate next to the key, with the same label and id
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    lib = pkcs11.lib(str(MODULE))
    with lib.get_token(token_label="agency").open(user_pin=PIN, rw=True) as session:
        session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE,
            Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.TOKEN: True,
            Attribute.LABEL: "signing",
            Attribute.ID: b"\x01",
            Attribute.SUBJECT: cert.subject.public_bytes(),
            Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
        })
    return pki


def test_signing_on_a_pkcs11_token(token):
    """One test: SoftHSM reads its configuration once per process (a second token directory
    would not be seen)."""
    wrong = keys.SigningConfig(pkcs11_module=str(MODULE), pkcs11_token_label="agency", pkcs11_key_label="signing",
                               pkcs11_pin="0000")
    with pytest.raises(keys.SigningConfigError, match="PKCS#11"):
        keys.load_credentials(wrong)
    cfg = keys.SigningConfig(
        pkcs11_module=str(MODULE), pkcs11_token_label="agency", pkcs11_key_label="signing", pkcs11_pin=PIN,
        trust_roots=(str(token / "root.pem"),), crls=(str(token / "root.crl"),),
    )
    creds = keys.load_credentials(cfg)
    assert creds.private_key is None and not creds.demo and creds.timestamper is None
    sig = keys.sign_bytes(b"decision record", creds)
    assert keys.verify_bytes(b"decision record", sig, creds)
    from tests.test_signing import _rendered

    signed = pades.sign_pdf(_rendered(), creds, pades.SignatureInfo("นายทดสอบ", "อนุมัติ", "เทศบาล"))
    v = verify_pdf(signed, creds.trust_roots, creds.crls)
    assert v.status == AUTHENTIC and not v.timestamped  # no TSA configured: PAdES B-B

