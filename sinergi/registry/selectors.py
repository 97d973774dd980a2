"""Every read of person records goes through here: the visibility rule lives in this module only.

Full record: the agency that registered the person (later also agencies a referral involves).
Everyone else with VIEW_PERSONS sees, in search results only, enough to avoid registering the same
person twice: name, birth year and regency — never contacts, address detail, identifiers or flags.

A person merged into another (``merged_into``, see sinergi.matching) stays readable, so its cases keep
working and its page can lead to the survivor, but it is left out of search, lists, duplicate checks and
every write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, BooleanField, ExpressionWrapper, F, Func, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, ExtractYear
from django.db.models.lookups import GreaterThanOrEqual
from django.http import Http404

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.identity.names import NormalizedName, name_similarity, normalize_name, phonetic_key
from sinergi.regions.models import Region
from sinergi.registry.models import NameToken, Person, PersonAlias
from sinergi.sharing.pseudonyms import listed_name

# Below this name similarity a candidate is not shown (0..1, see identity.names.name_similarity).
MIN_NAME_SCORE = 0.72
MAX_CANDIDATES = 2000
# On PostgreSQL a name is a candidate when its canonical key (or an alias's) shares this share of trigrams with
# the searched key (pg_trgm similarity, read from a GIN index); the candidates are then scored as on SQLite.
# Spelling variants the normaliser does not fold (typos, a dropped or added word) stay above it: measured
# in bench/bench_pg_scale.py.
TRIGRAM_THRESHOLD = 0.4
# ... and, when the searched name has words thousands share (Siti, Muhammad, a Balinese birth-order name), its
# other words must also be found in the name (pg_trgm word similarity): "Ahmad" alone carries enough trigrams to
# pass the threshold above, so every Ahmad among millions was read and rechecked (30,000 rows, seconds).
WORD_THRESHOLD = 0.5
# The birth year as the GIN index of migration registry 0006 holds it beside the name's trigrams (0 for a person
# without a birth date); a query must name this very expression for PostgreSQL to read that index.
BORN_YEAR = Coalesce(Cast(ExtractYear("birth_date"), IntegerField()), Value(0))
# What a search reads of each candidate, as plain rows: enough to rank it, and to build the Person a hit carries
# for the rows the page shows only (``Person.from_db`` takes these attribute names). A name search ranks up to
# MAX_CANDIDATES rows; building a model instance (with its region) for each was a third of its Python time.
_ROW_FIELDS = (
    "id",
    "full_name",
    "name_key",
    "birth_date",
    "nik",
    "region_id",
    "flag_trafficking",  # lists show a trafficking victim under a pseudonym (sharing.pseudonyms)
    "registered_by_agency_id",
)
_PK, _FULL_NAME, _NAME_KEY = 0, 1, 2
type _Row = tuple[Any, ...]


def persons_visible_to(user: User) -> QuerySet[Person]:
    """Persons whose record `user` may open. The rule lives in ``sinergi.sharing.rules``; this name stays for
    the modules that import it from here."""
    # Imported here: the sharing rule builds on referrals, which build on the registry.
    from sinergi.sharing import rules

    return rules.persons_visible_to(user)


def active_persons_visible_to(user: User) -> QuerySet[Person]:
    """``persons_visible_to`` without merged persons: what lists and pickers show."""
    return persons_visible_to(user).filter(merged_into__isnull=True)


def get_person_for_user(user: User, pk: int, *, write: bool = False) -> Person:
    """The person, or 404 whether it does not exist or is not the user's to see (the same answer on purpose).

    Asked first among the agency's own persons (``rules.own_persons``, one plain condition), and only when the
    person is not one of them with the whole rule and its referral sub-select (``persons_visible_to``): the same
    answer, without building and running the sub-select for the agency's own records, most reads."""
    from sinergi.sharing import rules

    related = ("region__parent__parent__parent", "registered_by_agency")
    own = rules.own_persons(user).select_related(*related)
    if write:
        # Only the registering agency edits a person; a referral shares the record read-only.
        if not user.has_capability(Capability.EDIT_PERSONS):
            raise Http404
        return _one(own.filter(merged_into__isnull=True).select_for_update(of=("self",)), pk)
    try:
        return _one(own, pk)
    except Http404:
        return _one(persons_visible_to(user).select_related(*related), pk)


def _one(queryset: QuerySet[Person], pk: int) -> Person:
    try:
        return queryset.get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_editable_person(user: User, pk: int) -> Person:
    """For edit forms (no row lock): 404 unless the user's agency registered the person, the role may edit and
    the person was not merged into another."""
    person = get_person_for_user(user, pk)
    if (
        person.registered_by_agency_id != user.agency_id
        or not user.has_capability(Capability.EDIT_PERSONS)
        or person.merged_into_id is not None
    ):
        raise Http404
    return person


# Parts of a person's record, named like the referral sections that share them.
PERSON_SECTIONS = frozenset({"IDENTITAS", "KONTAK", "KELUARGA", "MIGRASI"})


def person_sections_for(user: User, person: Person) -> frozenset[str]:
    """Which parts of the record `user` may see (``sinergi.sharing.rules.person_sections_for``)."""
    from sinergi.sharing import rules

    return rules.person_sections_for(user, person)


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    nik: str = ""
    birth_date: date | None = None
    birth_year: int | None = None
    region_code: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.text.strip() or self.nik.strip() or self.birth_date or self.birth_year or self.region_code)


@dataclass(frozen=True)
class PersonHit:
    """One search result. `person` is set only when the searcher may see the full record; `own` when the
    searcher's agency registered it (only then may it open a case on it). For another agency's person `pk`
    is kept for de-duplication inside the server; pages and the API never show it."""

    pk: int
    full_name: str
    birth_year: int | None
    regency_name: str
    score: float
    nik_match: bool
    person: Person | None
    own: bool = False

    @property
    def full_access(self) -> bool:
        return self.person is not None


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _uses_trigrams() -> bool:
    return connection.vendor == "postgresql"


def _trigram_match(name: NormalizedName) -> tuple[Q, Q]:
    """PostgreSQL: persons whose name key or one of whose aliases' keys is trigram-similar to the searched key
    and, when some of the searched words are common ones, also holds words like the others (word similarity).

    Twice the same condition: with pg_trgm's operators (``%``, ``%>``), which the GIN indexes of migrations
    registry 0003 and 0006 serve, for reading the name first; and with its functions, which no index serves,
    for a query that must start from a short list of persons instead (those referrals share)."""
    from django.contrib.postgres.lookups import TrigramSimilar, TrigramWordSimilar
    from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity

    with connection.cursor() as cursor:
        # The operators' thresholds are settings of the connection; set them for every search (cheap) so they
        # never depend on what ran before on a pooled connection.
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, false), "
            "set_config('pg_trgm.word_similarity_threshold', %s, false)",
            [str(TRIGRAM_THRESHOLD), str(WORD_THRESHOLD)],
        )
    # Both conditions are read from the one index together, so only names that have the rarer words too are
    # fetched from the table.
    rarer = " ".join(name.informative_tokens) if name.low_information and name.informative_tokens else ""
    indexed = Q(TrigramSimilar(F("name_key"), name.key))
    per_row = Q(GreaterThanOrEqual(TrigramSimilarity("name_key", name.key), TRIGRAM_THRESHOLD))
    if rarer:
        indexed &= Q(TrigramWordSimilar(F("name_key"), rarer))
        per_row &= Q(GreaterThanOrEqual(TrigramWordSimilarity(rarer, "name_key"), WORD_THRESHOLD))
    # The aliases' persons are read first (few), so the condition stays one the planner serves from the indexes
    # (a bitmap OR); an OR with a subquery made it evaluate the operator on every row of the table.
    aliases = list(PersonAlias.objects.filter(indexed).values_list("person_id", flat=True))
    if aliases:
        return indexed | Q(pk__in=aliases), per_row | Q(pk__in=aliases)
    return indexed, per_row


def _name_candidates(text: str) -> tuple[set[int], str]:
    normalized = normalize_name(text)
    tokens = normalized.informative_tokens or normalized.tokens
    if not tokens:
        return set(), ""
    condition = Q()
    for token in tokens:
        condition |= Q(token=token) | Q(phonetic=phonetic_key(token))
        if len(token) >= 4:
            condition |= Q(token__startswith=token[:4])
    ids = set(NameToken.objects.filter(condition).values_list("person_id", flat=True).distinct()[:MAX_CANDIDATES])
    return ids, normalized.key


def only_common_names(text: str) -> bool:
    """Whether a typed name has only words thousands of persons share (Siti, Nur, Muhammad, a Balinese
    birth-order name: `identity.names` marks them). Such a search lists one page of the names that begin with
    it and asks for more (`search_persons`); a spelling search among them all would read tens of thousands."""
    normalized = normalize_name(text)
    return bool(normalized.tokens) and not normalized.informative_tokens


def _valid_full_nik(nik: str) -> bool:
    from sinergi.identity.nik import parse_nik

    return len(nik) == 16 and parse_nik(nik).ok


@lru_cache(maxsize=20_000)
def _normalized_key(key: str) -> NormalizedName:
    """A stored name key, prepared for ``name_similarity`` once per process: a search scores up to thousands of
    candidates, and preparing each name again was half of a search's Python time (bench_pg_scale's profile)."""
    return normalize_name(key)


def _ranked(persons: QuerySet[Person], *, name_key: str, common: bool) -> QuerySet[Person]:
    """PostgreSQL: the most similar names first (pg_trgm similarity); a common name's page in no order (see
    ``search_persons``)."""
    if common:
        return persons
    from django.contrib.postgres.search import TrigramSimilarity

    return persons.annotate(similarity=TrigramSimilarity("name_key", name_key)).order_by("-similarity", "pk")


def _rows(persons: QuerySet[Person]) -> list[_Row]:
    return list(persons.values_list(*_ROW_FIELDS))


def _ranked_in_one_read(
    persons: QuerySet[Person], mine: Q, others: Q | None, *, name_key: str, common: bool, cap: int
) -> tuple[list[_Row], set[int]]:
    """PostgreSQL, a name with a birth year: the user's persons and, when allowed, other agencies' namesakes.
    Returns the rows and the pks of those the user may open."""
    if common:
        rows = _rows(persons.filter(mine)[:cap])
        visible = {row[_PK] for row in rows}
        return (rows + _rows(persons.filter(others)[:cap]) if others is not None else rows), visible
    # One read of the index for both: reading it once per part doubled a search's cost. The user's own come
    # first, so another agency's namesakes never crowd them out; the cap keeps the closest names.
    from django.contrib.postgres.search import TrigramSimilarity

    ranked = (
        persons.filter(mine | others if others is not None else mine)
        .annotate(
            may_open=ExpressionWrapper(mine, output_field=BooleanField()),
            similarity=TrigramSimilarity("name_key", name_key),
        )
        .order_by("-may_open", "-similarity", "pk")
        .values_list(*_ROW_FIELDS, "may_open")
    )
    found = list(ranked[: 2 * cap] if others is not None else ranked[:cap])
    own_or_shared = [row[:-1] for row in found if row[-1]][:cap]
    visible = {row[_PK] for row in own_or_shared}
    return [*own_or_shared, *[row[:-1] for row in found if not row[-1]][:cap]], visible


def _person_id_among(ids: set[int]) -> Q:
    """``person_id__in=ids``; on PostgreSQL as one array parameter (``= ANY``): a name search's candidates are up to
    MAX_CANDIDATES, and as many placeholders cost more Python time to build and send than the read itself."""
    if not _uses_trigrams():
        return Q(person_id__in=ids)
    from django.contrib.postgres.fields import ArrayField

    return Q(_EqualsAny(F("person_id"), Value(sorted(ids), output_field=ArrayField(BigIntegerField()))))


class _EqualsAny(Func):
    """PostgreSQL: ``column = ANY(array)``."""

    template = "(%(expressions)s))"
    arg_joiner = " = ANY("
    output_field = BooleanField()


def _person(row: _Row) -> Person:
    """The Person a hit carries, with only what a result list shows loaded (as ``.only()`` would)."""
    return Person.from_db(connection.alias, _ROW_FIELDS, row)


def search_persons(user: User, query: SearchQuery, *, limit: int = 50) -> list[PersonHit]:
    """Registry search, ranked. The user's own agency's persons (and those a referral shares) answer every
    filter; another agency's persons are found only by a full valid NIK, or by name together with a birth
    year — never by a NIK prefix, an exact birth date or a region — and come back as name, birth year and
    regency only. Searches that reach other agencies are logged and limited per user
    (``SINERGI_CROSS_AGENCY_SEARCHES_PER_HOUR``); over the limit only the user's own records are searched.
    """
    if query.is_empty or not user.is_authenticated or not user.has_capability(Capability.VIEW_PERSONS):
        return []
    nik = _digits(query.nik)
    text = query.text.strip()
    if not nik and text and len(_digits(text)) >= 6 and len(_digits(text)) >= len(text.replace(" ", "")) - 2:
        nik, text = _digits(text), ""  # the search box got a NIK

    name_key = ""
    # Who may match the name: on PostgreSQL a trigram condition applied inside each scope below (so another
    # agency's namesakes never crowd out the user's own persons); on SQLite the token index's candidates.
    # A name of common words only ("Siti") is the same on both: the names that begin with it, a page of them.
    name_match: Q | None = None
    name_match_per_row: Q | None = None  # the same, asked row by row (PostgreSQL, see _trigram_match)
    common = bool(text) and only_common_names(text)
    if common:
        name_key = normalize_name(text).key
        name_match = name_match_per_row = Q(name_key=name_key) | Q(name_key__startswith=f"{name_key} ")
        if _uses_trigrams():
            # The same as one pattern, read in one scan of the trigram index: PostgreSQL read the index once for
            # each half of the OR ("Siti": 65 ms for the two, 27 for the one, at 2 million persons).
            name_match = Q(name_key__regex=rf"^{re.escape(name_key)}( |$)")
    elif text and _uses_trigrams():
        normalized = normalize_name(text)
        name_key = normalized.key
        if name_key:
            name_match, name_match_per_row = _trigram_match(normalized)
        else:
            name_match = name_match_per_row = Q(pk__in=[])
    elif text:
        candidate_ids, name_key = _name_candidates(text)
        name_match = Q(pk__in=candidate_ids)

    # What the user may search with every filter: its own registry and what referrals share with it. A condition
    # on the rows, not a subquery of ids: on PostgreSQL the planner then reads the name's or the NIK's index first.
    from sinergi.sharing import rules

    may_open = rules.visible_persons_q(user)
    narrowing = Q()
    if nik:
        narrowing &= Q(nik=nik) if len(nik) == 16 else Q(nik__startswith=nik)
    if query.birth_date:
        narrowing &= Q(birth_date=query.birth_date)
    elif query.birth_year:
        # A record without a birth date may still be the same person.
        narrowing &= Q(birth_date__year=query.birth_year) | Q(birth_date__isnull=True)
    if query.region_code:
        narrowing &= Q(region__code=query.region_code) | Q(region__code__startswith=query.region_code + ".")
    mine = may_open & narrowing

    # Other agencies' persons: a full valid NIK, or a name with a birth year; nothing else narrows them.
    year = query.birth_year or (query.birth_date.year if query.birth_date else None)
    others: Q | None = None
    reason = ""
    if nik and _valid_full_nik(nik) and not text:
        others, reason = Q(nik=nik), "nik"
    elif text and year and not nik and name_key and name_match is not None:
        others, reason = Q(birth_date__year=year), "name_birth_year"
    if others is not None:
        if _cross_agency_allowed(user):
            # A restricted person (privacy) is not found.
            others &= ~Q(may_open) & rules.findable_by_other_agencies_q()
            _log_cross_agency_search(user, reason)
        else:
            others = None

    # Thousands of persons share a common name: one page of them, in no order worth the cost of sorting them
    # all (the page says so and asks for another word, the birth year or the region).
    cap = limit if common else MAX_CANDIDATES
    unmerged = Person.objects.filter(merged_into__isnull=True)
    persons = unmerged.filter(name_match) if name_match is not None else unmerged
    if name_match is not None and _uses_trigrams():
        # Millions of persons: the name's trigrams are read from a GIN index together with what narrows the search
        # (migration registry 0006), so only the namesakes the user may be shown are fetched from the table.
        if year is not None:
            # Everything this search may show was born that year or has no birth date. Those born that year, the
            # user's and other agencies' namesakes together, in one read of the index with the year; the user's
            # undated ones in a read of their own: PostgreSQL puts an equality on the year into the index scan,
            # but an OR or IN of the two years it left to a filter after reading the whole name.
            persons = persons.alias(born_year=BORN_YEAR)
            dated = persons.filter(born_year=year)
            rows, visible = _ranked_in_one_read(dated, mine, others, name_key=name_key, common=common, cap=cap)
            if not query.birth_date:
                undated_mine = persons.filter(born_year=0).filter(mine)
                undated = _rows(_ranked(undated_mine, name_key=name_key, common=common)[:cap])
                rows += undated
                visible |= {row[_PK] for row in undated}
        else:
            # No birth year: only the user's own persons, from the index of (agency, trigrams), and those
            # referrals share with it, found from the referrals (few) with the same name condition.
            own = rules.own_persons_q(user)
            shared = rules.shared_persons_q(user) & narrowing & ~own
            rows = _rows(_ranked(persons.filter(own & narrowing), name_key=name_key, common=common)[:cap])
            if len(rows) < cap or not common:
                shared_rows = _ranked(
                    unmerged.filter(name_match_per_row).filter(shared), name_key=name_key, common=common
                )
                rows += _rows(shared_rows[: cap - len(rows) if common else cap])
            visible = {row[_PK] for row in rows}
    else:
        rows = _rows(persons.filter(mine)[:cap])
        visible = {row[_PK] for row in rows}
        if others is not None:
            rows += _rows(persons.filter(others)[:cap])
    alias_keys: dict[int, list[str]] = {}
    alias_ids = {row[_PK] for row in rows} if name_key else set()
    if alias_ids:
        aliases_of_rows = PersonAlias.objects.filter(_person_id_among(alias_ids))
        for person_id, key in aliases_of_rows.values_list("person_id", "name_key"):
            alias_keys.setdefault(person_id, []).append(key)

    scored: list[tuple[float, _Row]] = []
    searched = normalize_name(name_key) if name_key else None
    for row in rows:
        if searched is not None:
            keys = [row[_NAME_KEY], *alias_keys.get(row[_PK], [])]
            score = max(name_similarity(searched, _normalized_key(key)) for key in keys)
            # A name that begins with the common words typed is shown however long it is ("Siti Aminah" for
            # "Siti" scores 0.68).
            if score < MIN_NAME_SCORE and not common:
                continue
        else:
            score = 1.0
        scored.append((score, row))
    # Among equal scores the records the user may open come first: its own person is what it is looking for,
    # and namesakes elsewhere (only name, birth year and regency) follow.
    scored.sort(key=lambda item: (-item[0], item[1][_PK] not in visible, item[1][_FULL_NAME], item[1][_PK]))
    shown = [(score, _person(row)) for score, row in scored[:limit]]

    regency_names = _regency_names({person.region_id[:5] for _, person in shown if person.region_id})
    return [
        PersonHit(
            pk=person.pk,
            # A trafficking victim appears under a pseudonym in the results, also to another agency's
            # searcher and through the API; the name is read on the record's own page only.
            full_name=listed_name(person),
            birth_year=person.birth_year,
            regency_name=regency_names.get((person.region_id or "")[:5], ""),
            score=round(score, 3),
            nik_match=bool(nik) and person.nik == nik,
            person=person if person.pk in visible else None,
            own=person.registered_by_agency_id == user.agency_id,
        )
        for score, person in shown
    ]


def _cross_agency_allowed(user: User) -> bool:
    """Fewer searches reaching other agencies in the last hour than the per-user limit (counted in the log)."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from sinergi.audit.models import AuditEvent

    since = timezone.now() - timedelta(hours=1)
    done = AuditEvent.objects.filter(actor_id=user.pk, action="registry.searched_across", at__gte=since).count()
    if done < settings.SINERGI_CROSS_AGENCY_SEARCHES_PER_HOUR:
        return True
    from sinergi.audit.events import record_event

    record_event(actor=user, action="registry.search_limited", summary="cross-agency search limit reached")
    return False


def _log_cross_agency_search(user: User, reason: str) -> None:
    from sinergi.audit.events import record_event

    record_event(actor=user, action="registry.searched_across", summary=reason, detail={"by": reason})


def _regency_names(codes: set[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def find_possible_duplicates(
    user: User, *, full_name: str, nik: str = "", birth_date: date | None = None, exclude_pk: int | None = None
) -> list[PersonHit]:
    """Registered persons that may be the one about to be registered: same NIK, or similar name and birth year."""
    hits: dict[int, PersonHit] = {}
    if nik:
        for hit in search_persons(user, SearchQuery(nik=nik)):
            hits[hit.pk] = hit
    if full_name.strip():
        by_name = SearchQuery(text=full_name, birth_year=birth_date.year if birth_date else None)
        for hit in search_persons(user, by_name, limit=20):
            hits.setdefault(hit.pk, hit)
    return [hit for pk, hit in hits.items() if pk != exclude_pk]
