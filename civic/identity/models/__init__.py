"""Identity-layer tables: users and their verifications, roles, territories, state bodies, audit, notifications."""

from civic.identity.models.audit import AuditEvent
from civic.identity.models.directory import Category, StateBody, Territory, TerritoryLevel
from civic.identity.models.notifications import Notification
from civic.identity.models.roles import Role, RolePermission, UserRole
from civic.identity.models.sessions import LoginThrottle, UserSession
from civic.identity.models.users import AssuranceLevel, IdentityVerification, NotificationMode, User, VerificationMethod

__all__ = [
    "AssuranceLevel",
    "AuditEvent",
    "Category",
    "IdentityVerification",
    "LoginThrottle",
    "Notification",
    "NotificationMode",
    "Role",
    "RolePermission",
    "StateBody",
    "Territory",
    "TerritoryLevel",
    "User",
    "UserRole",
    "UserSession",
    "VerificationMethod",
]
