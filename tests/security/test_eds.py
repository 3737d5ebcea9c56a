"""Finding 2: the EDS level. The tests build their own CA, intermediate, resident certificates and CRLs (with
``cryptography``), sign the server's challenge as NCALayer does (CMS / PKCS#7 SignedData) and link it."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from civic import db
from civic.identity import eds
from civic.identity.models import AssuranceLevel, IdentityVerification, User
from tests.factories import valid_iin

NOW = datetime.now(UTC)


def _name(cn: str, serial: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ")]
    if serial:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    return x509.Name(attributes)


def _cert(subject, issuer_name, key, issuer_key, *, ca: bool, days=(-1, 365)):
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW + timedelta(days=days[0]))
        .not_valid_after(NOW + timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _crl(issuer_cert, issuer_key, revoked=()):
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_cert.subject)
        .last_update(NOW - timedelta(hours=1))
        .next_update(NOW + timedelta(days=1))
    )
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(NOW - timedelta(minutes=5)).build()
        )
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki():
    root_key, inter_key = _key(), _key()
    root = _cert(_name("Test National CA Root"), _name("Test National CA Root"), root_key, root_key, ca=True)
    inter = _cert(_name("Test NCA RSA"), root.subject, inter_key, root_key, ca=True)
    return {"root": root, "root_key": root_key, "inter": inter, "inter_key": inter_key}


def _resident(pki, number: str, *, days=(-1, 365), key=None):
    key = key or _key()
    cert = _cert(_name("ТЕСТОВ ТЕСТ", f"IIN{number}"), pki["inter"].subject, key, pki["inter_key"], ca=False, days=days)
    return cert, key


def _sign(cert, key, content: str, pki, *, detached=False, chain=True) -> bytes:
    builder = pkcs7.PKCS7SignatureBuilder().set_data(content.encode()).add_signer(cert, key, hashes.SHA256())
    if chain:
        builder = builder.add_certificate(pki["inter"])
    options = [pkcs7.PKCS7Options.DetachedSignature] if detached else []
    return builder.sign(serialization.Encoding.DER, options)


@pytest.fixture
def trust(app, pki, tmp_path):
    store = tmp_path / "trust.pem"
    store.write_bytes(pki["root"].public_bytes(serialization.Encoding.PEM))
    crl_dir = tmp_path / "crl"
    crl_dir.mkdir()

    def publish(revoked=()):
        (crl_dir / "root.crl").write_bytes(_crl(pki["root"], pki["root_key"]).public_bytes(serialization.Encoding.DER))
        (crl_dir / "inter.crl").write_bytes(
            _crl(pki["inter"], pki["inter_key"], revoked).public_bytes(serialization.Encoding.PEM)
        )

    publish()
    saved = {k: app.config.get(k) for k in ("EDS_TRUST_STORE", "EDS_CRL_PATHS")}
    app.config.update(EDS_TRUST_STORE=str(store), EDS_CRL_PATHS=str(crl_dir))
    yield publish
    app.config.update(saved)


def _challenge(client) -> str:
    page = client.get("/account/eds")
    assert page.status_code == 200
    with client.session_transaction() as sess:
        return sess[eds.CHALLENGE_KEY]


def _post(client, der: bytes):
    return client.post("/account/eds", data={"signature": base64.b64encode(der).decode()})


def test_eds_links_the_iin_from_the_certificate(app, client, auth, make_user, pki, trust):
    user = make_user(level=AssuranceLevel.EMAIL_VERIFIED)
    auth.login(user)
    number = valid_iin(4242)
    cert, key = _resident(pki, number)
    response = _post(client, _sign(cert, key, _challenge(client), pki))
    assert response.status_code == 302
    with app.app_context():
        account = db.session.get(User, user.id)
        assert account.assurance_level == AssuranceLevel.VERIFIED_BY_EDS
        assert account.iin_last4 == number[-4:]
        assert db.session.query(IdentityVerification).filter_by(user_id=user.id, method="eds").count() == 1


def test_a_detached_signature_is_accepted(app, client, auth, make_user, pki, trust):
    user = make_user(level=AssuranceLevel.EMAIL_VERIFIED)
    auth.login(user)
    cert, key = _resident(pki, valid_iin(4243))
    assert _post(client, _sign(cert, key, _challenge(client), pki, detached=True)).status_code == 302


def _refused(app, client, auth, make_user, der_for, needle):
    user = make_user(level=AssuranceLevel.EMAIL_VERIFIED)
    auth.login(user)
    response = _post(client, der_for(_challenge(client)))
    assert response.status_code == 400
    assert needle in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).assurance_level == AssuranceLevel.EMAIL_VERIFIED


def test_a_signature_over_other_text_is_refused(app, client, auth, make_user, pki, trust):
    cert, key = _resident(pki, valid_iin(1))
    _refused(app, client, auth, make_user, lambda _c: _sign(cert, key, "another text", pki), "challenge")


def test_a_self_made_ca_is_refused(app, client, auth, make_user, pki, trust):
    rogue_key = _key()
    rogue = _cert(_name("Test NCA RSA"), _name("Test National CA Root"), rogue_key, rogue_key, ca=True)
    key = _key()
    cert = _cert(_name("X", f"IIN{valid_iin(2)}"), rogue.subject, key, rogue_key, ca=False)

    def der(challenge):
        return (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(challenge.encode())
            .add_signer(cert, key, hashes.SHA256())
            .add_certificate(rogue)
            .sign(serialization.Encoding.DER, [])
        )

    _refused(app, client, auth, make_user, der, "not issued by a trusted")


def test_a_revoked_certificate_is_refused(app, client, auth, make_user, pki, trust):
    cert, key = _resident(pki, valid_iin(3))
    trust(revoked=[cert.serial_number])
    _refused(app, client, auth, make_user, lambda c: _sign(cert, key, c, pki), "revoked")


def test_without_a_current_crl_the_status_is_unknown(app, client, auth, make_user, pki, trust, tmp_path):
    cert, key = _resident(pki, valid_iin(5))
    app.config["EDS_CRL_PATHS"] = str(tmp_path / "nothing-here")
    _refused(app, client, auth, make_user, lambda c: _sign(cert, key, c, pki), "revocation status")


def test_an_expired_certificate_is_refused(app, client, auth, make_user, pki, trust):
    cert, key = _resident(pki, valid_iin(6), days=(-30, -1))
    _refused(app, client, auth, make_user, lambda c: _sign(cert, key, c, pki), "expired")


def test_a_certificate_of_another_iin_is_refused(app, client, auth, make_user, pki, trust):
    user = make_user()  # IIN_VERIFIED with its own IIN
    auth.login(user)
    cert, key = _resident(pki, valid_iin(7777))
    response = _post(client, _sign(cert, key, _challenge(client), pki))
    assert response.status_code == 400
    assert "does not match" in response.get_data(as_text=True)


def test_garbage_is_a_clear_400(app, client, auth, make_user, trust):
    auth.login(make_user(level=AssuranceLevel.EMAIL_VERIFIED))
    _challenge(client)
    assert client.post("/account/eds", data={"signature": "not base64 ***"}).status_code == 400
    assert _post(client, b"\x30\x03\x02\x01\x01").status_code == 400
    assert client.post("/account/eds", data={"signature": ""}).status_code == 400


def test_an_ecdsa_key_also_works(app, client, auth, make_user, pki, trust):
    user = make_user(level=AssuranceLevel.EMAIL_VERIFIED)
    auth.login(user)
    key = ec.generate_private_key(ec.SECP256R1())
    cert, _ = _resident(pki, valid_iin(4244), key=key)
    assert _post(client, _sign(cert, key, _challenge(client), pki)).status_code == 302
