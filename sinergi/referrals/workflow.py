"""The referral handshake as a table: which side (sender or receiver agency) with which capability may
move a referral from which state to which, and what each transition requires."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sinergi.accounts.roles import Capability
from sinergi.referrals.models import ReferralStatus


class Side(StrEnum):
    SENDER = "sender"
    RECEIVER = "receiver"


@dataclass(frozen=True)
class ReferralTransition:
    side: Side
    capability: Capability
    needs_reason: bool = False
    needs_outcome: bool = False


R = ReferralStatus
_RECEIVER = ReferralTransition(Side.RECEIVER, Capability.HANDLE_REFERRALS)
_RECEIVER_WITH_REASON = ReferralTransition(Side.RECEIVER, Capability.HANDLE_REFERRALS, needs_reason=True)
_REVOKE = ReferralTransition(Side.SENDER, Capability.SEND_REFERRALS, needs_reason=True)

REFERRAL_TRANSITIONS: dict[tuple[str, str], ReferralTransition] = {
    (R.DRAFT, R.SENT): ReferralTransition(Side.SENDER, Capability.SEND_REFERRALS),
    (R.SENT, R.ACKNOWLEDGED): _RECEIVER,
    (R.SENT, R.ACCEPTED): _RECEIVER,
    (R.ACKNOWLEDGED, R.ACCEPTED): _RECEIVER,
    (R.SENT, R.REJECTED): _RECEIVER_WITH_REASON,
    (R.ACKNOWLEDGED, R.REJECTED): _RECEIVER_WITH_REASON,
    (R.ACCEPTED, R.IN_SERVICE): _RECEIVER,
    (R.IN_SERVICE, R.COMPLETED): ReferralTransition(Side.RECEIVER, Capability.HANDLE_REFERRALS, needs_outcome=True),
    (R.ACCEPTED, R.FAILED): _RECEIVER_WITH_REASON,
    (R.IN_SERVICE, R.FAILED): _RECEIVER_WITH_REASON,
    (R.DRAFT, R.REVOKED): _REVOKE,
    (R.SENT, R.REVOKED): _REVOKE,
    (R.ACKNOWLEDGED, R.REVOKED): _REVOKE,
    (R.ACCEPTED, R.REVOKED): _REVOKE,
    (R.IN_SERVICE, R.REVOKED): _REVOKE,
}


def transitions_from(status: str) -> dict[str, ReferralTransition]:
    return {to: rule for (frm, to), rule in REFERRAL_TRANSITIONS.items() if frm == status}
