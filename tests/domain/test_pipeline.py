"""Every transition of both default pipelines: allowed, refused, forced — and custom pipelines."""

from __future__ import annotations

import pytest

from svctrack.domain.pipeline import CANCELLED, decide, load_pipelines, reopen
from svctrack.errors import FileProblem, Refused

PIPELINES = load_pipelines({})
SERVICE = PIPELINES["service"]
ENGAGEMENT = PIPELINES["engagement"]


def all_gates(pipeline, state: str) -> frozenset[str]:
    return frozenset(g.id for g in pipeline.stage(state).gates)


ADVANCES = [
    (ENGAGEMENT, "preparation", "execution"),
    (ENGAGEMENT, "execution", "control"),
    (ENGAGEMENT, "control", "completion"),
    (ENGAGEMENT, "completion", "closed"),
    (SERVICE, "planning", "development"),
    (SERVICE, "development", "testing"),
    (SERVICE, "testing", "launch"),
    (SERVICE, "launch", "delivery"),
    (SERVICE, "delivery", "monitoring"),
]


@pytest.mark.parametrize(("pipeline", "source", "target"), ADVANCES)
def test_advance_with_all_gates_done(pipeline, source: str, target: str) -> None:
    move = decide(pipeline, source, "advance", done=all_gates(pipeline, source))
    assert (move.source, move.target, move.forced, move.skipped) == (source, target, False, ())


@pytest.mark.parametrize(("pipeline", "source", "target"), ADVANCES)
def test_advance_refused_with_an_open_gate(pipeline, source: str, target: str) -> None:
    gates = sorted(all_gates(pipeline, source))
    with pytest.raises(Refused) as caught:
        decide(pipeline, source, "advance", done=frozenset(gates[1:]))
    assert gates[0] in str(caught.value)


@pytest.mark.parametrize(("pipeline", "source", "target"), ADVANCES)
def test_forced_advance_records_what_it_skipped(pipeline, source: str, target: str) -> None:
    move = decide(pipeline, source, "advance", done=frozenset(), force=True)
    assert move.target == target and move.forced
    assert move.skipped == tuple(g.id for g in pipeline.stage(source).gates)


def test_force_with_nothing_open_is_not_forced() -> None:
    move = decide(ENGAGEMENT, "execution", "advance", done=frozenset({"work-done"}), force=True)
    assert not move.forced and move.skipped == ()


def test_service_has_no_end_but_iterates() -> None:
    with pytest.raises(Refused) as caught:
        decide(SERVICE, "monitoring", "advance", done=all_gates(SERVICE, "monitoring"))
    assert "rework" in caught.value.hint


WAYS_BACK = [
    (ENGAGEMENT, "control", "execution"),
    (SERVICE, "testing", "development"),
    (SERVICE, "monitoring", "planning"),
]


@pytest.mark.parametrize(("pipeline", "source", "target"), WAYS_BACK)
def test_rework_along_ways_back(pipeline, source: str, target: str) -> None:
    move = decide(pipeline, source, "rework", done=frozenset())
    assert (move.target, move.cleared) == (target, (source, target))


@pytest.mark.parametrize(
    ("pipeline", "state"),
    [(p, s.id) for p in (SERVICE, ENGAGEMENT) for s in p.stages if s.id not in p.back]
    + [(ENGAGEMENT, "closed"), (ENGAGEMENT, CANCELLED), (SERVICE, CANCELLED)],
)
def test_rework_refused_where_there_is_no_way_back(pipeline, state: str) -> None:
    with pytest.raises(Refused):
        decide(pipeline, state, "rework", done=frozenset())


@pytest.mark.parametrize("pipeline", [SERVICE, ENGAGEMENT])
def test_cancel_from_every_open_stage(pipeline) -> None:
    for stage in pipeline.stage_ids:
        assert decide(pipeline, stage, "cancel", done=frozenset()).target == CANCELLED


@pytest.mark.parametrize(
    ("pipeline", "state"), [(ENGAGEMENT, "closed"), (ENGAGEMENT, CANCELLED), (SERVICE, CANCELLED)]
)
@pytest.mark.parametrize("action", ["advance", "rework", "cancel"])
def test_ended_items_do_not_move(pipeline, state: str, action: str) -> None:
    with pytest.raises(Refused):
        decide(pipeline, state, action, done=frozenset(), force=True)


def test_unknown_stage_is_refused_with_a_hint() -> None:
    with pytest.raises(Refused) as caught:
        decide(ENGAGEMENT, "exection", "advance", done=frozenset(), force=True)
    assert "validate" in caught.value.hint


def test_gate_ids_never_equal_principle_ids() -> None:
    for pipeline in PIPELINES.values():
        gates = {g.id for s in pipeline.stages for g in s.gates}
        assert not gates & {p.id for p in pipeline.principles}


def test_progress() -> None:
    assert ENGAGEMENT.progress("preparation") == 0.0
    assert ENGAGEMENT.progress("control") == 0.5
    assert ENGAGEMENT.progress("closed") == 1.0
    assert SERVICE.progress("monitoring") == round(5 / 6, 4)


CUSTOM = {
    "pipelines": {
        "engagement": {
            "principles": ["communication", "speed"],
            "back": {"review": "work"},
            "done": "closed",
            "stages": [
                {
                    "id": "intake",
                    "label": "Intake",
                    "gates": [{"id": "brief", "label": "Brief read"}],
                },
                {"id": "work", "label": "Work"},
                {
                    "id": "review",
                    "label": "Review",
                    "gates": [{"id": "approved", "ru": "Одобрено"}],
                },
            ],
        }
    },
    "principles": {"speed": {"label": "Speed", "ru": "Скорость"}},
}


def test_custom_pipeline_replaces_the_default() -> None:
    engagement = load_pipelines(CUSTOM)["engagement"]
    assert engagement.stage_ids == ("intake", "work", "review")
    assert [p.label for p in engagement.principles] == ["Communication", "Speed"]
    assert decide(engagement, "work", "advance", done=frozenset()).target == "review"
    assert decide(engagement, "review", "rework", done=frozenset()).target == "work"
    assert load_pipelines(CUSTOM)["service"].stage_ids == SERVICE.stage_ids


@pytest.mark.parametrize(
    "pipelines",
    [
        {"engagement": {"stages": []}},
        {"engagement": {"stages": [{"label": "no id"}]}},
        {"engagement": {"stages": [{"id": "a"}, {"id": "a"}]}},
        {"engagement": {"stages": [{"id": "a"}, {"id": "b"}], "back": {"a": "b"}}},
        {"engagement": {"stages": [{"id": "a", "gates": [{"id": "x"}]}], "principles": ["x"]}},
        {"engagement": "not a table"},
    ],
)
def test_bad_custom_pipelines_are_file_problems(pipelines: dict) -> None:
    with pytest.raises(FileProblem) as caught:
        load_pipelines({"pipelines": pipelines})
    assert caught.value.path == "svctrack.toml"


# --- reopen ---------------------------------------------------------------------------------

STEPS = [(None, "preparation"), ("preparation", "execution"), ("execution", CANCELLED)]


@pytest.mark.parametrize(
    ("pipeline", "state", "steps", "target"),
    [
        (ENGAGEMENT, CANCELLED, STEPS, "execution"),
        (
            ENGAGEMENT,
            "closed",
            [*STEPS[:2], ("execution", "completion"), ("completion", "closed")],
            "completion",
        ),
        (ENGAGEMENT, "closed", [(None, "closed")], "completion"),  # by hand: the only way in
        (SERVICE, CANCELLED, [(None, "planning"), ("planning", CANCELLED)], "planning"),
        # reopened and ended again: the last step into the end counts
        (
            ENGAGEMENT,
            CANCELLED,
            [*STEPS, (CANCELLED, "execution"), ("execution", "control"), ("control", CANCELLED)],
            "control",
        ),
    ],
)
def test_reopen_goes_back_to_the_stage_it_ended_from(pipeline, state, steps, target) -> None:
    move = reopen(pipeline, state, steps)
    assert (move.action, move.source, move.target) == ("reopen", state, target)


def test_reopen_refuses_an_open_item_and_a_history_that_does_not_say() -> None:
    with pytest.raises(Refused, match="it is open"):
        reopen(ENGAGEMENT, "execution", STEPS[:2])
    with pytest.raises(Refused, match="does not say"):
        reopen(ENGAGEMENT, CANCELLED, [(None, CANCELLED)])
    with pytest.raises(Refused, match="does not say"):
        reopen(ENGAGEMENT, CANCELLED, [("gone-stage", CANCELLED)])
