"""Sealing anonymous survey answers until they can be released among others, and coarsening
the groups stored with them.

Why seal: the invitation is marked answered in the member's own transaction. If the answer
were written in that transaction too, PostgreSQL would give both rows the same transaction id
(`xmin`), and rows written one after another sit in that order on disk (`ctid`), so anyone
with a copy of the database could join each anonymous answer to its member. So the answer is
written encrypted, with no member and no time, and a separate transaction later releases
waiting answers in a shuffled batch (surveys.services.release.responses_release).

Why encrypt: while an answer waits, its row still shares the member's transaction id. The
payload is encrypted with a key derived from the server's SECRET_KEY, so a copy of the
database alone cannot read a waiting answer. Keys are derived for this purpose only (HKDF with
its own label), and the keys from SECRET_KEY_FALLBACKS still open answers sealed before a key
rotation.

Why coarsen: most member organisations have one or two people in the CoP, so an answer stored
with its organisation names the person. At release each answer's (sector, seniority,
organisation) is coarsened so that the combination stored is shared by at least k of the
people who have answered the survey (k = SURVEY_SUPPRESSION_THRESHOLD), whatever the answers.
Those who answered, not all those invited: the invitations say who answered, so a group that
many were invited from but only one person answered from would still name that person."""

import base64
import json
from collections import Counter
from collections.abc import Iterable

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

# The label that makes these keys good for sealing survey answers and nothing else.
KEY_PURPOSE = b"cop-portal surveys: sealed anonymous answers v1"
# Payloads are padded to a multiple of this many bytes, so the length of a sealed row does not
# hint at how much someone wrote.
PAD_TO = 512


def _key(secret: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_PURPOSE).derive(
        secret.encode()
    )
    return base64.urlsafe_b64encode(derived)


def _fernet() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(_key(secret)) for secret in secrets])


def seal(payload: dict) -> bytes:
    """The payload as encrypted bytes. A Fernet token normally carries the time it was made in
    plain view; it is made at time 0 here, so a sealed answer says nothing about when."""
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    text += b" " * (-len(text) % PAD_TO)  # trailing spaces: still valid JSON
    return _fernet().encrypt_at_time(text, 0)


def unseal(token: bytes) -> dict:
    """The payload back, with the current key or any fallback. Raises
    cryptography.fernet.InvalidToken if no key the server holds can open it."""
    return json.loads(_fernet().decrypt(bytes(token)))


# Coarsening --------------------------------------------------------------------------------

Groups = tuple[str, str, int | None]  # (sector, seniority, organisation id)
BLANK: Groups = ("", "", None)


class Coarsener:
    """Coarsens (sector, seniority, organisation) against a population: the people who have
    answered the survey, with their current profiles.

    The rule, applied in this order and stopping at the first that fits:
    1. keep all three if at least k people in the population have exactly that combination;
    2. otherwise pool organisations (organisation → none) if at least k share the sector and
       seniority;
    3. otherwise drop seniority too if at least k share the sector;
    4. otherwise store all three blank.
    Organisations go first because they are the smallest groups (one or two people each), and
    sector last because it is the broadest and most useful for reports. With fewer than k
    people in the population everything is blank: no group could hide anyone. A combination
    nobody in the population has (say, the person changed their profile before release) is
    stored blank, because the counts above would not include the person it describes.

    It depends only on the population, never on the answers given, so the level an answer
    is stored at tells nothing about what anyone answered."""

    def __init__(self, population: Iterable[Groups], *, k: int):
        self.population = [tuple(p) for p in population]
        self.k = k
        self.exact = Counter(self.population)
        self.by_sector_seniority = Counter((s, r) for s, r, _ in self.population)
        self.by_sector = Counter(s for s, _, _ in self.population)

    def __call__(self, groups: Groups) -> Groups:
        """A combination as the person had it when answering, coarsened."""
        sector, seniority, organisation = groups
        if len(self.population) < self.k or not self.exact[(sector, seniority, organisation)]:
            return BLANK
        if self.exact[(sector, seniority, organisation)] >= self.k:
            return (sector, seniority, organisation)
        if self.by_sector_seniority[(sector, seniority)] >= self.k:
            return (sector, seniority, None)
        if self.by_sector[sector] >= self.k:
            return (sector, "", None)
        return BLANK

    def widen(self, stored: Groups) -> Groups:
        """A combination stored at an earlier release, coarsened further if fewer than k of the
        population now match it. A blank part may hide anything, so it matches everyone."""
        if len(self.population) < self.k:
            return BLANK
        sector, seniority, _ = stored
        for candidate in (stored, (sector, seniority, None), (sector, "", None)):
            if self._matching(candidate) >= self.k:
                return candidate
        return BLANK

    def _matching(self, pattern: Groups) -> int:
        return sum(
            all(
                part in ("", None) or part == theirs
                for part, theirs in zip(pattern, p, strict=True)
            )
            for p in self.population
        )
