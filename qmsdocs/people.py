"""The roster (签字授权): who may sign which role, their passwords, and the administrators.

Names and accounts are compared by :func:`qmsdocs.names.name_key`. Passwords are stored only as
salted scrypt hashes with their parameters; nobody learns another person's password: ``add`` and
``reset`` give a one-time enrolment code (7 days) with which the person sets their own. Five
wrong passwords in a row lock the person until an administrator unlocks them; each failed attempt
is written to the audit trail (21 CFR 11.300(d)), the one change a refusal makes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

from qmsdocs import clock
from qmsdocs.command import Command, run
from qmsdocs.db import Row
from qmsdocs.errors import RuleError, UsageError
from qmsdocs.i18n import N_, _
from qmsdocs.names import PERSON_ROLES, ROLES, name_key, role_of
from qmsdocs.workspace import Workspace

SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LEN = 2 ** 14, 8, 1, 32
MAX_FAILURES = 5
CODE_DAYS = 7
MIN_PASSWORD, MAX_PASSWORD = 8, 256


def hash_password(password: str) -> str:
    """Return ``scrypt$N$r$p$salt$hash`` for a password (parameters kept so they can be raised later)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            maxmem=64 * 1024 * 1024, dklen=SCRYPT_LEN)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches a stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = (stored or "").split("$")
        if scheme != "scrypt":
            return False
        computed = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                                  maxmem=256 * 1024 * 1024, dklen=len(digest) // 2)
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(computed.hex(), digest)


def _code_hash(code: str) -> str:
    return hashlib.sha256(name_key(code).encode("utf-8")).hexdigest()


def new_code() -> str:
    """Return a one-time enrolment code such as ``K7QD-M2XP-9FRA`` (60 bits, no look-alike letters)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def parse_roles(text: str | list[str]) -> list[str]:
    """Return the roles named (English or Chinese, comma-separated) in roster order; UsageError if unknown."""
    items = text if isinstance(text, list) else [t for t in text.replace("，", ",").split(",")]
    roles = []
    for item in items:
        if not item.strip():
            continue
        role = role_of(item)
        if role is None:
            raise UsageError(_("unknown role {role!r}; roles: {roles}").format(role=item.strip(),
                                                                               roles=", ".join(PERSON_ROLES)))
        roles.append(role)
    if not roles:
        raise UsageError(_("--roles must name at least one role"))
    return [r for r in PERSON_ROLES if r in roles]


@dataclass(frozen=True)
class Person:
    id: int
    account: str
    name: str
    roles: tuple[str, ...]
    active: bool
    locked: bool

    @classmethod
    def of(cls, row: Row) -> Person:
        return cls(int(row["id"]), row["account"], row["name"], tuple(json.loads(row["roles"])),
                   bool(row["active"]), bool(row["locked"]))

    def label(self) -> str:
        return self.name if name_key(self.name) == self.account else f"{self.name} ({self.account})"


def roster(ws: Workspace) -> list[Row]:
    return ws.register.query("SELECT * FROM people ORDER BY id")


def find(ws: Workspace, who: str) -> Row:
    """Return the person an account or a name designates; UsageError if none, RuleError if ambiguous."""
    if not who or not who.strip():
        raise UsageError(_("a name or account is needed"))
    key = name_key(who)
    by_account = ws.register.one("SELECT * FROM people WHERE account = ?", (key,))
    if by_account is not None:
        return by_account
    named = ws.register.query("SELECT * FROM people WHERE name_key = ? ORDER BY id", (key,))
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        accounts = ", ".join(r["account"] for r in named)
        raise RuleError(_("{who} is the name of {count} people (accounts {accounts}); give the account instead").format(
            who=who.strip(), count=len(named), accounts=accounts))
    if not roster(ws):
        raise RuleError(_("the roster is empty; add people first: qms people add NAME --roles admin,…"))
    raise RuleError(_("{who} is not on the roster; see: qms people list").format(who=who.strip()))


def who_may(ws: Workspace, role: str) -> list[str]:
    """Return the labels of the active, unlocked people who hold ``role``."""
    return [Person.of(r).label() for r in roster(ws)
            if role in json.loads(r["roles"]) and r["active"] and not r["locked"]]


def _record_failure(ws: Workspace, person: Row, purpose: str) -> int:
    """Write a failed password attempt to the register and the trail (its own committed command)."""
    with run(ws) as cmd:
        row = ws.register.one("SELECT * FROM people WHERE id = ?", (person["id"],))
        assert row is not None
        failures = int(row["failures"]) + 1
        values: dict[str, Any] = {"failures": failures}
        if failures >= MAX_FAILURES:
            values["locked"] = 1
        cmd.update("people", int(row["id"]), values)
        cmd.record("password-refused", {"purpose": purpose, "failures": failures,
                                        "locked": failures >= MAX_FAILURES}, actor=row["name"], account=row["account"])
    return failures


#: A password, or a function that asks for it given whose it is (the CLI's prompt or stdin reader).
Password = str | Callable[[str], str] | None


def authenticate(ws: Workspace, who: str, password: Password, purpose: str) -> Row:
    """Return the person ``who`` after checking their password; RuleError otherwise.

    A wrong password is recorded (failures counted, locked at five) before the refusal.
    """
    person = find(ws, who)
    p = Person.of(person)
    if not p.active:
        raise RuleError(_("{person} is disabled; an administrator can enable them: qms people enable").format(
            person=p.label()))
    if p.locked:
        raise RuleError(_("{person} is locked after {count} wrong passwords; an administrator can unlock them: "
                          "qms people unlock {account} --by ADMIN").format(person=p.label(), count=MAX_FAILURES,
                                                                           account=p.account))
    if not person["pw_hash"]:
        raise RuleError(_("{person} has no password yet; they set one with: qms people passwd {account} "
                          "--code CODE").format(person=p.label(), account=p.account))
    if callable(password):
        password = password(p.label())
    if password is None:
        raise UsageError(_("a password is needed for {person}").format(person=p.label()))
    if not check_password(person["pw_hash"], password):
        failures = _record_failure(ws, person, purpose)
        left = MAX_FAILURES - failures
        tail = _("{left} more and they are locked").format(left=left) if left > 0 \
            else _("they are now locked; an administrator can unlock them")
        raise RuleError(_("wrong password for {person} ({tail})").format(person=p.label(), tail=tail))
    return person


def clear_failures(cmd: Command, person: Row) -> None:
    """Reset the failed-attempt count after a successful authentication (inside the command)."""
    if int(person["failures"]):
        cmd.update("people", int(person["id"]), {"failures": 0})


def admin(ws: Workspace, by: str | None, password: Password, purpose: str) -> Row:
    """Return the authenticated administrator ``by``; RuleError if not one."""
    if not by:
        raise RuleError(_("{purpose} needs an administrator: give --by ADMIN (and their password)").format(
            purpose=_(purpose)))
    person = authenticate(ws, by, password, purpose)
    if "admin" not in json.loads(person["roles"]):
        raise RuleError(_("{person} is not an administrator (role admin); administrators: {admins}").format(
            person=Person.of(person).label(), admins=", ".join(who_may(ws, "admin")) or _("none")))
    return person


def _enrolment(cmd: Command) -> tuple[str, dict[str, Any]]:
    code = new_code()
    expires = (clock.today() + dt.timedelta(days=CODE_DAYS)).isoformat()
    return code, {"enrol_hash": _code_hash(code), "enrol_expires": expires}


def _public(row: Row) -> dict[str, Any]:
    p = Person.of(row)
    return {"name": p.name, "account": p.account, "roles": list(p.roles), "active": p.active, "locked": p.locked}


def add(ws: Workspace, name: str, roles: str | list[str], account: str | None = None, by: str | None = None,
        password: Password = None) -> dict[str, Any]:
    """Add a person to the roster; return them with their one-time enrolment code.

    The first person of an empty roster must be an administrator and needs no authorisation;
    every later addition needs an authenticated administrator.
    """
    from qmsdocs.text import check_option

    check_option("NAME", name)
    if not name or not name.strip():
        raise UsageError(_("a person needs a name"))
    role_list = parse_roles(roles)
    key = name_key(account if account else name)
    if not key:
        raise UsageError(_("the account must not be empty"))
    empty = not roster(ws)
    actor = None
    if empty:
        if "admin" not in role_list:
            raise RuleError(_("the first person on the roster must be an administrator: give --roles admin,…"))
    else:
        actor = admin(ws, by, password, N_("changing the roster"))
    with run(ws) as cmd:
        if ws.register.one("SELECT 1 AS x FROM people WHERE account = ?", (key,)) is not None:
            raise RuleError(_("account {account} is already on the roster; two people with one name need distinct "
                              "--account values").format(account=key))
        clash = ws.register.query("SELECT account FROM people WHERE name_key = ?", (name_key(name),))
        if clash and not account:
            raise RuleError(_("{name} is already on the roster (account {account}); a second person of that name "
                              "needs an --account of their own").format(name=name.strip(), account=clash[0]["account"]))
        code, enrol = _enrolment(cmd)
        person_id = cmd.insert("people", {"account": key, "name": name.strip(), "name_key": name_key(name),
                                          "roles": json.dumps(role_list), "active": 1, "locked": 0, "failures": 0,
                                          "pw_hash": None, "created_on": clock.today().isoformat()} | enrol)
        if actor is not None:
            clear_failures(cmd, actor)
        cmd.record("people-add", {"account": key, "name": name.strip(), "roles": role_list},
                   actor=actor["name"] if actor else None, account=actor["account"] if actor else None)
    row = ws.register.one("SELECT * FROM people WHERE id = ?", (person_id,))
    assert row is not None
    return _public(row) | {"code": code, "code_expires": enrol["enrol_expires"]}


def change(ws: Workspace, who: str, action: str, by: str | None, password: Password,
           roles: str | None = None) -> dict[str, Any]:
    """Change one person: ``roles``, ``disable``, ``enable``, ``reset`` (new enrolment code) or ``unlock``."""
    actor = admin(ws, by, password, N_("changing the roster"))
    person = find(ws, who)
    result: dict[str, Any] = {}
    with run(ws) as cmd:
        values: dict[str, Any]
        if action == "roles":
            role_list = parse_roles(roles or "")
            values = {"roles": json.dumps(role_list)}
            changes: dict[str, Any] = {"roles": [json.loads(person["roles"]), role_list]}
        elif action in ("disable", "enable"):
            values = {"active": 1 if action == "enable" else 0}
            changes = {"active": [bool(person["active"]), action == "enable"]}
        elif action == "unlock":
            values = {"locked": 0, "failures": 0}
            changes = {"locked": [bool(person["locked"]), False]}
        elif action == "reset":
            code, values = _enrolment(cmd)
            values |= {"pw_hash": None, "locked": 0, "failures": 0}
            changes = {"password": "reset; enrolment code issued"}
            result = {"code": code, "code_expires": values["enrol_expires"]}
        else:  # pragma: no cover - the CLI offers only the actions above
            raise UsageError(_("unknown roster action {action}").format(action=action))
        if action in ("roles", "disable") and person["id"] == actor["id"] and (
                action == "disable" or "admin" not in json.loads(values["roles"])):
            others = [r for r in roster(ws) if r["id"] != actor["id"] and r["active"]
                      and "admin" in json.loads(r["roles"])]
            if not others:
                raise RuleError(_("the roster needs at least one active administrator; add another one first"))
        cmd.update("people", int(person["id"]), values)
        clear_failures(cmd, actor)
        cmd.record(f"people-{action}", {"account": person["account"]} | changes, actor=actor["name"],
                   account=actor["account"])
    row = ws.register.one("SELECT * FROM people WHERE id = ?", (person["id"],))
    assert row is not None
    return _public(row) | result


def check_new_password(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise UsageError(_("a password must have {least} to {most} characters").format(least=MIN_PASSWORD,
                                                                                       most=MAX_PASSWORD))


def set_password(ws: Workspace, who: str, new: Password, code: str | None = None,
                 old: Password = None) -> dict[str, Any]:
    """Set a person's password with their enrolment code, or change it with the old one.

    ``new`` (and ``old``) may be functions that ask for it; the old one is asked first.
    """
    if code is None and callable(old):
        label = Person.of(find(ws, who)).label()
        old_value = old(label)
        old = old_value
    if callable(new):
        new = new("new")
    new = new or ""
    check_new_password(new)
    person = find(ws, who)
    p = Person.of(person)
    if code is not None:
        if not person["enrol_hash"] or not hmac.compare_digest(person["enrol_hash"], _code_hash(code)):
            raise RuleError(_("the enrolment code for {person} is not valid; an administrator can issue a new one: "
                              "qms people reset {account} --by ADMIN").format(person=p.label(), account=p.account))
        if (person["enrol_expires"] or "") < clock.today().isoformat():
            raise RuleError(_("the enrolment code for {person} expired on {date}; an administrator can issue a new "
                              "one: qms people reset {account} --by ADMIN").format(
                person=p.label(), date=person["enrol_expires"], account=p.account))
        actor = person
    else:
        actor = authenticate(ws, who, old, "changing a password")
    with run(ws) as cmd:
        cmd.update("people", int(person["id"]), {"pw_hash": hash_password(new), "enrol_hash": None,
                                                 "enrol_expires": None, "failures": 0})
        cmd.record("people-passwd", {"account": p.account, "with": "enrolment code" if code else "old password"},
                   actor=actor["name"], account=actor["account"])
    return {"name": p.name, "account": p.account, "password_set": True}


def list_people(ws: Workspace) -> dict[str, Any]:
    """Return the roster: ``{"people": [{name, account, roles, active, locked}]}``."""
    return {"people": [_public(r) for r in roster(ws)]}


def check_signer(ws: Workspace, person: Row, role: str) -> None:
    """Refuse a signer who is not active, is locked, or does not hold ``role``."""
    p = Person.of(person)
    allowed = who_may(ws, role)
    may = _("who may sign {role}: {people}").format(role=role, people=", ".join(allowed)) if allowed \
        else _("nobody on the roster may sign {role} yet").format(role=role)
    if not p.active:
        raise RuleError(_("{person} is disabled and cannot sign; {may}").format(person=p.label(), may=may))
    if p.locked:
        raise RuleError(_("{person} is locked and cannot sign; {may}").format(person=p.label(), may=may))
    if role not in p.roles:
        raise RuleError(_("{person} may not sign {role}; {may}").format(person=p.label(), role=role, may=may))


__all__ = ["ROLES", "add", "authenticate", "change", "find", "list_people", "set_password"]
