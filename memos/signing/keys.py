"""The agency's signing credentials: where the key lives and how to use it.

Three sources, first configured wins:

1. ``SIGNING_PKCS11_MODULE`` (+ ``SIGNING_PKCS11_SLOT`` or ``SIGNING_PKCS11_TOKEN_LABEL``,
   ``SIGNING_PKCS11_KEY_LABEL``, ``SIGNING_PKCS11_PIN``): a token or HSM through pyHanko's PKCS#11
   support. The private key never leaves the token, so ``Credentials.private_key`` is None and
   ``sign_bytes`` asks the token.
2. ``SIGNING_PKCS12_PATH`` + ``SIGNING_PKCS12_PASSWORD``: a PKCS#12 file.
3. Neither: the demo PKI (demo_pki.py), generated on first use into ``SIGNING_DEMO_DIR``
   (``var/pki/`` by default). Its in-process time-stamp authority stands in for ``TSA_URL``.

Keys are read from files or tokens, never from the database, and never logged.

``certificate`` and ``chain`` are **asn1crypto** ``x509.Certificate`` objects: the type pyHanko
and its certificate validator use throughout; ``cryptography_certificate()`` converts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509 as c_x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign import signers, timestamps

from . import demo_pki


class SigningError(RuntimeError):
    """A document could not be signed: issuing writes nothing and the outbox retries."""


class SigningConfigError(SigningError):
    """The signing configuration is incomplete or the key/certificate cannot be loaded."""


@dataclass(frozen=True)
class SigningConfig:
    """Where the key is; built from Django settings by ``config_from_settings``, or by a test."""

    pkcs12_path: str = ""
    pkcs12_password: str = ""
    pkcs11_module: str = ""
    pkcs11_slot: int | None = None
    pkcs11_token_label: str = ""
    pkcs11_key_label: str = ""
    pkcs11_cert_label: str = ""
    pkcs11_pin: str = ""
    tsa_url: str = ""
    trust_roots: tuple[str, ...] = ()  # PEM or DER files
    crls: tuple[str, ...] = ()  # DER/PEM CRL files embedded as revocation data (no network fetch)
    demo_dir: str = ""
    demo_tsa: bool = True  # demo PKI without TSA_URL: time-stamp with its in-process TSA


@dataclass(frozen=True)
class Credentials:
    """What signing and verification need. ``private_key`` is a ``cryptography`` key object (None
    on a PKCS#11 token); ``certificate`` and ``chain`` are asn1crypto certificates; ``signer`` is a
    pyHanko ``signers.Signer``; ``trust_roots`` asn1crypto certificates; ``timestamper`` a pyHanko
    TimeStamper or None (then PAdES B-B); ``crls`` asn1crypto CRLs for the LTV data."""

    private_key: Any
    certificate: asn1_x509.Certificate
    chain: list[asn1_x509.Certificate]
    signer: signers.Signer
    trust_roots: list[asn1_x509.Certificate]
    timestamper: timestamps.TimeStamper | None = None
    crls: list[asn1_crl.CertificateList] = field(default_factory=list)
    demo: bool = False

    @property
    def not_after(self) -> dt.datetime:
        return self.certificate.not_valid_after

    @property
    def subject(self) -> str:
        return self.certificate.subject.human_friendly


def _read_certs(path: str | Path) -> list[asn1_x509.Certificate]:
    data = Path(path).read_bytes()
    if asn1_pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _, _, der in asn1_pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


def _read_crl(path: str | Path) -> asn1_crl.CertificateList:
    data = Path(path).read_bytes()
    if asn1_pem.detect(data):
        _, _, data = asn1_pem.unarmor(data)
    return asn1_crl.CertificateList.load(data)


def _to_asn1(cert: c_x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def cryptography_certificate(cert: asn1_x509.Certificate) -> c_x509.Certificate:
    """The ``cryptography`` view of an asn1crypto certificate."""
    return c_x509.load_der_x509_certificate(cert.dump())


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner re-parses its private key on every signature (an RSA key check costs
    about 0.17 s, a tenth of the issuing budget); this one keeps the parsed ``cryptography`` key."""

    def __init__(self, key, **kwargs):
        super().__init__(**kwargs)
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        digest = getattr(hashes, digest_algorithm.upper().replace("-", ""))()
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), digest)
        if mechanism == "ecdsa" and isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(digest))
        return super().sign_raw(data, digest_algorithm)


class _DemoTimeStamper(timestamps.DummyTimeStamper):
    """The demo TSA, answering in process, with its key parsed once (see _LoadedKeySigner)."""

    def __init__(self, *, tsa_key_obj, **kwargs):
        super().__init__(**kwargs)
        self._key = tsa_key_obj

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, moment: dt.datetime):
        from asn1crypto import cms, core
        from pyhanko.sign import general

        digest = getattr(hashes, md_algorithm.upper().replace("-", ""))()
        h = hashes.Hash(digest)
        h.update(tst_info_data)
        attrs = cms.CMSAttributes(
            [
                general.simple_cms_attribute("content_type", "tst_info"),
                general.simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(moment)})),
                general.simple_cms_attribute("signing_certificate", general.as_signing_certificate(self.tsa_cert)),
                general.simple_cms_attribute("message_digest", h.finalize()),
            ]
        )
        return self._key.sign(attrs.dump(), padding.PKCS1v15(), digest), attrs


def _from_pkcs12(path: str, password: str, roots: list[asn1_x509.Certificate]):
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(
            Path(path).read_bytes(), password.encode() if password else None
        )
    except (OSError, ValueError) as exc:
        raise SigningConfigError(f"cannot load the PKCS#12 file {path}: {type(exc).__name__}") from None
    if key is None or cert is None:
        raise SigningConfigError(f"the PKCS#12 file {path} holds no key and certificate")
    certificate = _to_asn1(cert)
    chain = [_to_asn1(c) for c in extra or []]
    key_der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signer = _LoadedKeySigner(
        key,
        signing_cert=certificate,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(chain + roots),
    )
    return key, certificate, chain, signer


def _from_pkcs11(cfg: SigningConfig, roots: list[asn1_x509.Certificate]):
    """pyHanko's PKCS#11 signer: the key stays on the token; the certificate is read from it."""
    try:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11 as p11
    except ImportError as exc:  # python-pkcs11 missing
        raise SigningConfigError(f"PKCS#11 support is not installed: {exc}") from None
    try:
        session = p11.open_pkcs11_session(
            cfg.pkcs11_module,
            slot_no=cfg.pkcs11_slot,
            token_criteria=TokenCriteria(label=cfg.pkcs11_token_label or None),
            user_pin=cfg.pkcs11_pin or None,
        )
        signer = p11.PKCS11Signer(
            session,
            key_label=cfg.pkcs11_key_label,
            cert_label=cfg.pkcs11_cert_label or cfg.pkcs11_key_label,
            other_certs_to_pull=None,  # every certificate on the token: the chain, if stored there
        )
        certificate = signer.signing_cert
    except Exception as exc:  # the token library raises its own types
        raise SigningConfigError(f"cannot use the PKCS#11 token: {type(exc).__name__}: {exc}") from None
    chain = [c for c in signer.cert_registry if c != certificate] if signer.cert_registry else []
    return None, certificate, chain, signer


def load_credentials(cfg: SigningConfig) -> Credentials:
    """Load the credentials ``cfg`` describes (no caching: see ``agency_credentials``)."""
    roots = [c for p in cfg.trust_roots for c in _read_certs(p)]
    crls = [_read_crl(p) for p in cfg.crls]
    demo = not (cfg.pkcs11_module or cfg.pkcs12_path)
    timestamper = timestamps.HTTPTimeStamper(cfg.tsa_url) if cfg.tsa_url else None
    if cfg.pkcs11_module:
        key, cert, chain, signer = _from_pkcs11(cfg, roots)
    elif cfg.pkcs12_path:
        key, cert, chain, signer = _from_pkcs12(cfg.pkcs12_path, cfg.pkcs12_password, roots)
    else:
        if not cfg.demo_dir:
            raise SigningConfigError("no signing key configured and no demo PKI directory")
        d = demo_pki.ensure(Path(cfg.demo_dir))
        roots = roots or _read_certs(d / "root.pem")
        crls = crls or [_read_crl(d / "root.crl")]
        key, cert, chain, signer = _from_pkcs12(str(d / "agency.p12"), demo_pki.DEMO_PASSWORD.decode(), roots)
        if timestamper is None and cfg.demo_tsa:
            timestamper = demo_timestamper(d)
    if not roots:
        # a self-contained chain: its last certificate, when self-signed, is the root
        roots = [c for c in chain if c.self_signed]
    return Credentials(
        private_key=key, certificate=cert, chain=chain, signer=signer, trust_roots=roots,
        timestamper=timestamper, crls=crls, demo=demo,
    )


def demo_timestamper(directory: Path) -> timestamps.TimeStamper:
    """The demo PKI's RFC 3161 time-stamp authority, answering in process."""
    tsa_cert = _read_certs(directory / "tsa.pem")[0]
    _, _, key_der = asn1_pem.unarmor((directory / "tsa-key.pem").read_bytes())
    roots = _read_certs(directory / "root.pem")
    return _DemoTimeStamper(
        tsa_cert=tsa_cert,
        tsa_key=asn1_keys.PrivateKeyInfo.load(key_der),
        tsa_key_obj=serialization.load_der_private_key(key_der, password=None),
        certs_to_embed=roots,
    )


def config_from_settings() -> SigningConfig:
    """The SigningConfig from Django settings (config/settings.py reads them from the environment)."""
    from django.conf import settings

    def get(name: str, default=""):
        return getattr(settings, name, default)

    slot = get("SIGNING_PKCS11_SLOT", None)
    return SigningConfig(
        pkcs12_path=get("SIGNING_PKCS12_PATH"),
        pkcs12_password=get("SIGNING_PKCS12_PASSWORD"),
        pkcs11_module=get("SIGNING_PKCS11_MODULE"),
        pkcs11_slot=int(slot) if slot not in (None, "") else None,
        pkcs11_token_label=get("SIGNING_PKCS11_TOKEN_LABEL"),
        pkcs11_key_label=get("SIGNING_PKCS11_KEY_LABEL"),
        pkcs11_cert_label=get("SIGNING_PKCS11_CERT_LABEL"),
        pkcs11_pin=get("SIGNING_PKCS11_PIN"),
        tsa_url=get("TSA_URL"),
        trust_roots=tuple(get("SIGNING_TRUST_ROOTS", ()) or ()),
        crls=tuple(get("SIGNING_CRLS", ()) or ()),
        demo_dir=str(get("SIGNING_DEMO_DIR", "")),
        demo_tsa=bool(get("SIGNING_DEMO_TSA", True)),
    )


@functools.lru_cache(maxsize=4)
def _cached(cfg: SigningConfig) -> Credentials:
    return load_credentials(cfg)


def agency_credentials() -> Credentials:
    """The agency's credentials from settings, loaded once per process and configuration (a test
    that changes the settings gets new ones)."""
    return _cached(config_from_settings())


def _public_key(cert: asn1_x509.Certificate):
    return cryptography_certificate(cert).public_key()


def sign_bytes(data: bytes, credentials: Credentials | None = None) -> bytes:
    """A detached signature of ``data`` by the agency key: RSA PKCS#1 v1.5 with SHA-256 (ECDSA
    with SHA-256 for an EC key), raw (no CMS envelope), so it is small enough to store per record."""
    creds = credentials or agency_credentials()
    key = creds.private_key
    if key is None:  # on a token: let it sign
        return asyncio.run(creds.signer.async_sign_raw(data, "sha256"))
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    raise SigningConfigError(f"unsupported key type {type(key).__name__}")


def verify_bytes(data: bytes, signature: bytes, credentials: Credentials | None = None) -> bool:
    """Whether ``signature`` is the agency certificate's signature of ``data`` (see sign_bytes)."""
    creds = credentials or agency_credentials()
    pub = _public_key(creds.certificate)
    try:
        if isinstance(pub, rsa.RSAPublicKey):
            pub.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(pub, ec.EllipticCurvePublicKey):
            pub.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True
