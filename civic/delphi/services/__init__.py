"""Delphi use cases. Services flush and never commit; they raise DomainError subclasses with translated messages
and record every organiser action in the audit log."""

from civic.delphi.services.answers import (
    AnswerErrors,
    RawAnswer,
    add_proposal,
    delete_proposal,
    justification_bounds,
    own_answers,
    own_proposals,
    participation_of,
    save_answers,
)
from civic.delphi.services.items import ItemData, add_item, delete_item, dismiss_proposal, update_item
from civic.delphi.services.panel import (
    accept_invitation,
    add_panelists,
    eligible_users,
    invitation_for_token,
    invite_by_email,
    remove_panelist,
    revoke_invitation,
)
from civic.delphi.services.rounds import (
    close_due_rounds,
    close_round,
    extend_deadline,
    open_round,
    publish_feedback,
    remind_due,
    remind_non_responders,
    set_justification_hidden,
)
from civic.delphi.services.studies import (
    StudyData,
    create_study,
    destroy_key,
    finish_study,
    publish_results,
    set_config,
    shred_expired_keys,
    update_study,
)

__all__ = [
    "AnswerErrors", "ItemData", "RawAnswer", "StudyData", "accept_invitation", "add_item", "add_panelists",
    "add_proposal", "close_due_rounds", "close_round", "create_study", "delete_item", "delete_proposal",
    "destroy_key", "dismiss_proposal", "eligible_users", "extend_deadline", "finish_study", "invitation_for_token",
    "invite_by_email", "justification_bounds", "open_round", "own_answers", "own_proposals", "participation_of",
    "publish_feedback", "publish_results", "remind_due", "remind_non_responders", "remove_panelist",
    "revoke_invitation", "save_answers", "set_config", "set_justification_hidden", "shred_expired_keys",
    "update_item", "update_study",
]
