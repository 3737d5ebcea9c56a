"""Migration platform_0003 on a database with rows: signatures (and supporters, by the same statement) get the IIN fingerprint of their live
accounts (and the signer's level)."""

from alembic import command
from sqlalchemy import create_engine, text

from civic.cli import alembic_config


def test_existing_rows_get_the_fingerprint(app, tmp_path):
    url = f"sqlite:///{tmp_path / 'data.sqlite3'}"
    with app.app_context():
        cfg = alembic_config()
        cfg.attributes.update(database_url=url, skip_logging=True)
        command.upgrade(cfg, "contests_0001")
        engine = create_engine(url)
        with engine.begin() as conn:
            for uid, digest, level in ((1, "a" * 64, 2), (2, None, 0), (3, "c" * 64, 4)):
                conn.execute(
                    text(
                        "INSERT INTO users (id, email, password_hash, preferred_locale, assurance_level, "
                        "notification_mode, session_version, failed_logins, iin_hmac, created_at) "
                        "VALUES (:id, :email, '!', 'kk', :level, 'none', 1, 0, :digest, CURRENT_TIMESTAMP)"
                    ),
                    {"id": uid, "email": f"u{uid}@example.test", "level": level, "digest": digest},
                )
                conn.execute(
                    text(
                        "INSERT INTO petition_signatures (petition_id, user_id, territory_id, notify, created_at) "
                        "VALUES (7, :id, 0, 0, CURRENT_TIMESTAMP)"
                    ),
                    {"id": uid},
                )
        engine.dispose()
        command.upgrade(cfg, "platform_0003")
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT user_id, signer_iin_hmac, signer_level FROM petition_signatures ORDER BY user_id")
        ).all()
    engine.dispose()
    assert rows == [(1, "a" * 64, 2), (2, None, 2), (3, "c" * 64, 4)]
