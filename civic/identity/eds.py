"""The EDS assurance level: a resident signs a server challenge with their national digital signature (ЭЦП/ЭЦҚ).

NCALayer (the Kazakh national CA's signing app) produces CMS / PKCS#7 SignedData. The server checks, with
maintained libraries (``asn1crypto`` parses CMS, ``cryptography`` does X.509, signatures and CRLs):

1. the signed content is the challenge this session was given (attached, or detached and supplied by the server),
   within ``EDS_CHALLENGE_MAX_AGE`` seconds, used once;
2. the signer's signature over the content (or over the signed attributes, whose message digest must match);
3. the certificate chain, link by link, up to a certificate of the configured trust store (``EDS_TRUST_STORE``: a
   PEM file or a folder of PEM/DER files), every certificate valid now;
4. revocation: a CRL (``EDS_CRL_PATHS``: files or folders, refreshed by the operator from the CA's CDP) signed by the
   issuer, current, for every certificate below the anchor; no current CRL means "status unknown" and a refusal
   (``EDS_REQUIRE_CRL``);
5. the IIN from the subject's serialNumber ("IIN" + 12 digits, as the national CA issues them), with its checksum.

Supported: RSA (PKCS#1 v1.5 and PSS) and ECDSA with SHA-1/2. Not supported: GOST 34.310/34.311 keys (the national
CA's GOST certificates): no maintained Python library verifies them; those residents use the RSA certificate the
national CA issues alongside, or the in-person level (docs/security.md lists the gap).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from flask import current_app, session
from flask_babel import lazy_gettext as _l

from civic.core.errors import DomainError
from civic.identity import iin as iin_module

CHALLENGE_KEY = "eds_challenge"
HASHES = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


class EdsError(DomainError):
    default_message = _l("The digital signature could not be verified.")


@dataclass
class VerifiedSigner:
    iin: str
    subject: str
    serial: str
    issuer: str


# --- the challenge -----------------------------------------------------------------------------------------------
def new_challenge() -> str:
    """A fresh challenge for this session (kept in the signed session cookie, never in the database)."""
    value = f"civic-eds-login:{secrets.token_urlsafe(24)}:{int(time.time())}"
    session[CHALLENGE_KEY] = value
    return value


def current_challenge() -> str | None:
    value = session.get(CHALLENGE_KEY)
    if not value:
        return None
    issued = int(value.rsplit(":", 1)[-1])
    if time.time() - issued > current_app.config.get("EDS_CHALLENGE_MAX_AGE", 600):
        return None
    return value


def spend_challenge() -> None:
    session.pop(CHALLENGE_KEY, None)


# --- trust store and CRLs ------------------------------------------------------------------------------------------
def _read_certificates(path: Path) -> list[x509.Certificate]:
    data = path.read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def _files(setting) -> list[Path]:
    if not setting:
        return []
    paths = setting if isinstance(setting, (list, tuple)) else str(setting).split(",")
    found = []
    for raw in paths:
        path = Path(str(raw).strip())
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.is_file()))
        elif path.is_file():
            found.append(path)
    return found


def trust_anchors() -> list[x509.Certificate]:
    anchors = []
    for path in _files(current_app.config.get("EDS_TRUST_STORE")):
        anchors.extend(_read_certificates(path))
    return anchors


def crls() -> list[x509.CertificateRevocationList]:
    found = []
    for path in _files(current_app.config.get("EDS_CRL_PATHS")):
        data = path.read_bytes()
        found.append(x509.load_pem_x509_crl(data) if b"-----BEGIN" in data else x509.load_der_x509_crl(data))
    return found


# --- verification --------------------------------------------------------------------------------------------------
def _verify_signature(public_key, signature: bytes, data: bytes, hash_name: str, algorithm: str) -> None:
    hash_cls = HASHES.get(hash_name)
    if hash_cls is None:
        raise EdsError(_l("This signature uses an algorithm the platform does not support (GOST is not supported)."))
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            if algorithm == "rsassa_pss":
                pad = padding.PSS(mgf=padding.MGF1(hash_cls()), salt_length=padding.PSS.AUTO)
            else:
                pad = padding.PKCS1v15()
            public_key.verify(signature, data, pad, hash_cls())
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(hash_cls()))
        else:
            raise EdsError(
                _l("This signature uses an algorithm the platform does not support (GOST is not supported).")
            )
    except InvalidSignature as exc:
        raise EdsError(_l("The digital signature does not match the challenge.")) from exc


def _valid_now(cert: x509.Certificate, now: datetime) -> None:
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise EdsError(_l("A certificate of the signature is expired or not yet valid."))


def _issuer_of(cert, candidates):
    for candidate in candidates:
        if candidate.subject == cert.issuer:
            try:
                cert.verify_directly_issued_by(candidate)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return candidate
    return None


def _check_revocation(cert: x509.Certificate, issuer: x509.Certificate, now: datetime, lists) -> None:
    current = [
        crl
        for crl in lists
        if crl.issuer == issuer.subject
        and crl.is_signature_valid(issuer.public_key())
        and (crl.next_update_utc is None or crl.next_update_utc >= now)
        and crl.last_update_utc <= now
    ]
    if not current:
        if current_app.config.get("EDS_REQUIRE_CRL", True):
            raise EdsError(_l("The revocation status of the certificate is unknown. Try again later."))
        return
    if any(crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None for crl in current):
        raise EdsError(_l("The certificate of this signature was revoked."))


def verify_chain(signer: x509.Certificate, extra: list[x509.Certificate], now: datetime) -> None:
    """Build the chain from the signer to a trust anchor (each link's signature checked), then check every
    certificate's validity period and revocation status."""
    anchors = trust_anchors()
    if not anchors:
        raise EdsError(_l("Digital signatures are not configured on this server."))
    links, cert = [], signer
    for _depth in range(8):
        anchor = _issuer_of(cert, anchors)
        if anchor is not None:
            links.append((cert, anchor))
            break
        issuer = _issuer_of(cert, [c for c in extra if c != cert])
        if issuer is None:
            break
        links.append((cert, issuer))
        cert = issuer
    if not links or links[-1][1] not in anchors:
        raise EdsError(_l("The certificate of this signature is not issued by a trusted certification authority."))
    lists = crls()
    for cert, issuer in links:
        _valid_now(cert, now)
        _valid_now(issuer, now)
        _check_revocation(cert, issuer, now, lists)


def iin_of(cert: x509.Certificate) -> str:
    values = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)]
    for value in values:
        value = str(value).strip()
        if value.upper().startswith("IIN"):
            number = value[3:]
            if iin_module.is_valid(number):
                return number
    raise EdsError(_l("The certificate does not name an individual's IIN."))


def verify(cms_data: bytes, challenge: str, now: datetime | None = None) -> VerifiedSigner:
    """Verify CMS SignedData over ``challenge``; returns the signer (with the IIN) or raises EdsError."""
    now = now or datetime.now(UTC)
    try:
        info = cms.ContentInfo.load(cms_data)
        if info["content_type"].native != "signed_data":
            raise ValueError("not SignedData")
        signed = info["content"]
        content = signed["encap_content_info"]["content"].native
        signer_info = signed["signer_infos"][0]
        certificates = [
            x509.load_der_x509_certificate(choice.chosen.dump())
            for choice in (signed["certificates"] or [])
            if choice.name == "certificate"
        ]
        sid = signer_info["sid"]
        hash_name = signer_info["digest_algorithm"]["algorithm"].native
        algorithm = signer_info["signature_algorithm"]["algorithm"].native
        signature = signer_info["signature"].native
        signed_attrs = signer_info["signed_attrs"]
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise EdsError(_l("This is not a CMS (PKCS#7) signature. Paste the signature NCALayer produced.")) from exc
    if content is None:
        content = challenge.encode()  # a detached signature: the server supplies what was signed
    if content != challenge.encode():
        raise EdsError(_l("The signature is not over this page's challenge. Sign the current challenge."))
    if sid.name != "issuer_and_serial_number":
        raise EdsError(_l("The signature does not name its certificate."))
    serial, issuer_name = sid.chosen["serial_number"].native, sid.chosen["issuer"].dump()
    signer = next(
        (c for c in certificates if c.serial_number == serial and c.issuer.public_bytes() == issuer_name), None
    )
    if signer is None:
        raise EdsError(_l("The signature does not include its certificate."))
    if algorithm in ("gost_34_10", "gost_34_10_2012_256", "gost_34_10_2012_512") or hash_name not in HASHES:
        raise EdsError(_l("This signature uses an algorithm the platform does not support (GOST is not supported)."))
    if signed_attrs is not None and len(signed_attrs):
        digests = [a["values"][0].native for a in signed_attrs if a["type"].native == "message_digest"]
        if not digests or digests[0] != hashlib.new(hash_name, content).digest():
            raise EdsError(_l("The digital signature does not match the challenge."))
        data = b"\x31" + signed_attrs.dump()[1:]  # signed over as a SET OF, not as the [0] field
    else:
        data = content
    algo_name = "rsassa_pss" if algorithm == "rsassa_pss" else "other"
    _verify_signature(signer.public_key(), signature, data, hash_name, algo_name)
    try:
        usage = signer.extensions.get_extension_for_class(x509.KeyUsage).value
        if not (usage.digital_signature or usage.content_commitment):
            raise EdsError(_l("This certificate may not be used for signing."))
    except x509.ExtensionNotFound:
        pass
    verify_chain(signer, certificates, now)
    return VerifiedSigner(
        iin=iin_of(signer),
        subject=signer.subject.rfc4514_string()[:200],
        serial=format(signer.serial_number, "x"),
        issuer=signer.issuer.rfc4514_string()[:200],
    )
