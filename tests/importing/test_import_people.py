"""Importing the people table (R12, R13): roles, merging, re-import and refusals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.importing import ImportRejected, import_people
from bot.storage.db import session_scope
from bot.storage.models import Department, Person, Role, RoleAssignment

HEADER = ["姓名", "账号", "部门", "角色"]


def _import(engine: Engine, path: Path):
    with session_scope(engine) as session:
        return import_people(session, path)


def _person(session: Session, userid: str) -> Person:
    return session.exec(select(Person).where(func.lower(Person.userid) == userid.lower())).one()


def _roles(session: Session, userid: str) -> set[tuple[str, str | None]]:
    person = _person(session, userid)
    query = (
        select(RoleAssignment.role, Department.name)
        .outerjoin(Department, col(Department.id) == RoleAssignment.department_id)
        .where(RoleAssignment.person_id == person.id)
    )
    return {(str(role), name) for role, name in session.exec(query)}


def test_sample_people_import(db: Engine, samples: Path) -> None:
    report = _import(db, samples / "people-2026.xlsx")

    assert (report.created, report.updated, report.unchanged) == (57, 0, 0)
    assert report.roles == 59
    assert len(report.departments_created) == 23
    with Session(db) as session:
        assert session.exec(select(func.count()).select_from(Person)).one() == 57
        leaders = session.exec(
            select(func.count()).where(RoleAssignment.role == Role.LEADER)
        ).one()
        assert leaders == 10
        assert _roles(session, "liuyang") == {("leader", None)}
        assert _person(session, "liuyang").name == "刘洋"
        assert _person(session, "liuyang").department_id is None  # 部门 校领导
        assert _roles(session, "lina") == {("party_office", None)}
        assert _roles(session, "yangfan") == {
            ("president_office", None),
            ("liaison", "校长办公室"),
        }
        assert _roles(session, "majun") == {("admin", None)}
        assert _roles(session, "zhangwei") == {("head", "党委组织部")}


def test_one_liaison_for_two_departments_is_one_person(db: Engine, samples: Path) -> None:
    _import(db, samples / "people-2026.xlsx")
    with Session(db) as session:
        matches = session.exec(select(Person).where(Person.name == "赵敏")).all()
        assert [person.userid for person in matches] == ["ZhaoMin"]  # first spelling kept
        assert _roles(session, "zhaomin") == {
            ("liaison", "发展规划处"),
            ("liaison", "学科建设办公室"),
        }


def test_people_and_task_samples_name_the_same_departments_and_leaders(
    db: Engine, samples: Path
) -> None:
    from bot.importing import import_tasks

    _import(db, samples / "people-2026.xlsx")
    with session_scope(db) as session:
        report = import_tasks(session, samples / "tasks-2026.xlsx", year=2026)
    assert report.departments_created == []
    with Session(db) as session:
        leaders = set(
            session.exec(
                select(Person.name).join(RoleAssignment).where(RoleAssignment.role == Role.LEADER)
            )
        )
        from bot.storage.models import Task

        assert set(session.exec(select(Task.leader_name).distinct())) == leaders


def test_reimport_replaces_roles_and_updates(db: Engine, xlsx: Callable[..., Path]) -> None:
    first = xlsx(
        [
            HEADER,
            ["李四", "LiSi", "教务处", "联络员"],
            ["李四", "lisi", "研究生院", "联络员、负责人"],
            ["王五", "wangwu", "宣传部", "负责人"],
        ]
    )
    report = _import(db, first)
    assert (report.created, report.roles) == (2, 4)

    second = xlsx(
        [HEADER, ["李 四", "lisi", "研究生院", "负责人"], ["王五", "wangwu", "宣传部", "负责人"]],
        name="second.xlsx",
    )
    report = _import(db, second)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    with Session(db) as session:
        assert session.exec(select(func.count()).select_from(Person)).one() == 2
        assert _roles(session, "LISI") == {("head", "研究生院")}
        person = _person(session, "lisi")
        assert person.userid == "lisi"
        assert session.get(Department, person.department_id).name == "研究生院"


def test_people_not_in_the_file_are_kept_and_reported(
    db: Engine, xlsx: Callable[..., Path]
) -> None:
    _import(
        db, xlsx([HEADER, ["李四", "lisi", "教务处", "联络员"], ["王五", "wangwu", "", "管理员"]])
    )
    report = _import(db, xlsx([HEADER, ["李四", "lisi", "教务处", "联络员"]], name="b.xlsx"))
    assert report.absent == ["王五(wangwu)"]
    with Session(db) as session:
        assert _roles(session, "wangwu") == {("admin", None)}


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("联络员", {("liaison", "教务处")}),
        ("负责人", {("head", "教务处")}),
        ("分管校领导", {("leader", None)}),
        ("校领导", {("leader", None)}),
        ("党委办公室", {("party_office", None)}),
        ("党办", {("party_office", None)}),
        ("校长办公室", {("president_office", None)}),
        ("校办", {("president_office", None)}),
        ("管理员", {("admin", None)}),
        ("联络员，负责人;管理员", {("liaison", "教务处"), ("head", "教务处"), ("admin", None)}),
        ("联络员、联络员", {("liaison", "教务处")}),
    ],
)
def test_role_words(
    db: Engine, xlsx: Callable[..., Path], text: str, roles: set[tuple[str, str | None]]
) -> None:
    _import(db, xlsx([HEADER, ["李四", "lisi", "教务处", text]]))
    with Session(db) as session:
        assert _roles(session, "lisi") == roles


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["", "lisi", "教务处", "联络员"], "未填写姓名。"),
        (["李四", "", "教务处", "联络员"], "“李四”未填写账号（企业微信账号）。"),
        (
            ["李四", "li si", "教务处", "联络员"],
            "账号“li si”不正确：企业微信账号为1至64位字母、数字或“_-@.”。",
        ),
        (
            ["李四", "lisi#", "教务处", "联络员"],
            "账号“lisi#”不正确：企业微信账号为1至64位字母、数字或“_-@.”。",
        ),
        (
            ["李四", "a" * 65, "教务处", "联络员"],
            f"账号“{'a' * 65}”不正确：企业微信账号为1至64位字母、数字或“_-@.”。",
        ),
        (
            ["李四", "lisi", "教务处", ""],
            "未填写“李四”的角色，请填写“联络员”“负责人”“分管校领导”“党委办公室”“校长办公室”或“管理员”。",
        ),
        (
            ["李四", "lisi", "教务处", "处长"],
            "角色“处长”无法识别，请填写“联络员”“负责人”“分管校领导”“党委办公室”“校长办公室”或“管理员”。",
        ),
        (["李四", "lisi", "", "联络员"], "“联络员”须填写所在部门。"),
        (["李四", "lisi", "校领导", "负责人"], "“负责人”须填写所在部门。"),
    ],
)
def test_each_bad_row_is_named_and_nothing_written(
    db: Engine, xlsx: Callable[..., Path], row: list[str], message: str
) -> None:
    path = xlsx([["名单"], HEADER, ["王五", "wangwu", "宣传部", "负责人"], row])
    with pytest.raises(ImportRejected) as caught:
        _import(db, path)
    assert [(error.row, error.message) for error in caught.value.errors] == [
        (4, f"第4行：{message}")
    ]
    with Session(db) as session:
        assert session.exec(select(func.count()).select_from(Person)).one() == 0
        assert session.exec(select(func.count()).select_from(Department)).one() == 0


def test_one_account_with_two_names_is_refused(db: Engine, xlsx: Callable[..., Path]) -> None:
    path = xlsx(
        [HEADER, ["李四", "lisi", "教务处", "联络员"], ["李斯", "LISI", "宣传部", "联络员"]]
    )
    with pytest.raises(ImportRejected) as caught:
        _import(db, path)
    assert str(caught.value) == (
        "第3行：账号“LISI”在第2行是“李四”，本行却是“李斯”，同一账号只能对应一人。"
    )


def test_csv_people(db: Engine, csv_file: Callable[..., Path]) -> None:
    path = csv_file([HEADER, ["李四", "lisi", "教务处", "联络员"]], encoding="gb18030")
    assert _import(db, path).created == 1
