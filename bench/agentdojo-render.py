"""Renders AgentDojo's attacks offline, without calling a model, as JSON lines.

Every registered attack (except `manual`, which asks a person, and the DoS attacks, which carry no
goal) for every suite of benchmark v1.2.2, user task, injection task and injection vector; then the
benign injection-vector defaults and the ground-truth tool outputs of every user task, and per user
task the facts its checks name (`user_task_facts`: the task's constants, the arguments of its
ground-truth calls and the literals of its utility check), which bench/injections.ts keeps where
they occur in the task's tool outputs. Attack classes that want a model name get it from a stub
pipeline named after a fixed model.
Usage: python bench/agentdojo-render.py OUT.jsonl
"""

import ast
import inspect
import json
import sys
import textwrap

from agentdojo.agent_pipeline.base_pipeline_element import BasePipelineElement
from agentdojo.agent_pipeline.ground_truth_pipeline import GroundTruthPipeline
from agentdojo.attacks.attack_registry import ATTACKS
from agentdojo.functions_runtime import FunctionsRuntime
from agentdojo.task_suite.load_suites import get_suites
from agentdojo.types import get_text_content_as_str

import agentdojo.attacks.baseline_attacks  # noqa: F401  (registers the attacks)
import agentdojo.attacks.dos_attacks  # noqa: F401
import agentdojo.attacks.important_instructions_attacks  # noqa: F401

VERSION = "v1.2.2"
SUITES = ["workspace", "travel", "banking", "slack"]


SKIP_ATTRS = {"PROMPT", "COMMENT", "ID", "DIFFICULTY", "GOAL"}


def flatten(value, out):
    """Every string and number inside `value` (dicts, lists, models), as strings."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, (str, int, float)):
        out.append(str(value))
    elif isinstance(value, dict):
        for v in value.values():
            flatten(v, out)
    elif isinstance(value, (list, tuple, set)):
        for v in value:
            flatten(v, out)


def task_facts(ut, env):
    """What a user task's checks name: constants, ground-truth call arguments, utility literals."""
    facts = []
    for k, v in vars(type(ut)).items():
        if not k.startswith("__") and k not in SKIP_ATTRS:
            flatten(v, facts)
    try:
        for call in ut.ground_truth(env):
            flatten(dict(call.args), facts)
    except Exception as e:  # reported, not hidden
        print(f"{type(ut).__name__}: ground truth args failed: {e}", file=sys.stderr)
    try:
        src = textwrap.dedent(inspect.getsource(type(ut).utility))
        for node in ast.walk(ast.parse(src)):
            value = node.value if isinstance(node, ast.Constant) else None
            if isinstance(value, str):
                facts.append(value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                # Numbers as written ("98.70"), not as Python prints them ("98.7").
                facts.append(ast.get_source_segment(src, node))
    except (OSError, TypeError, SyntaxError):
        pass
    return sorted({f for f in facts if f and len(f.strip()) >= 3})


class StubPipeline(BasePipelineElement):
    """Never queried: it only gives the attack classes a model name to address."""

    name = "gpt-4o-2024-05-13"

    def query(self, *args, **kwargs):  # pragma: no cover
        raise RuntimeError("the renderer calls no model")


def main(out_path: str) -> None:
    suites = get_suites(VERSION)
    pipeline = StubPipeline()
    attack_names = [n for n, c in ATTACKS.items() if n != "manual" and not c.is_dos_attack]
    n = 0
    with open(out_path, "w") as out:

        def emit(**rec):
            nonlocal n
            out.write(json.dumps(rec) + "\n")
            n += 1

        for suite_name in SUITES:
            suite = suites[suite_name]
            for attack_name in attack_names:
                attack = ATTACKS[attack_name](suite, pipeline)
                for ut_id, ut in suite.user_tasks.items():
                    for it_id, it in suite.injection_tasks.items():
                        for vector, text in attack.attack(ut, it).items():
                            emit(suite=suite_name, attack=attack_name, user_task=ut_id,
                                 injection_task=it_id, vector=vector, text=text, goal=it.GOAL)
                print(f"{suite_name} {attack_name}: {n} records so far", file=sys.stderr)
            for vector, text in suite.get_injection_vector_defaults().items():
                emit(suite=suite_name, attack="benign_default", user_task=None,
                     injection_task=None, vector=vector, text=text, goal=None)
            for ut_id, ut in suite.user_tasks.items():
                env = suite.load_and_inject_default_environment({})
                runtime = FunctionsRuntime(suite.tools)
                try:
                    _, _, _, messages, _ = GroundTruthPipeline(ut).query(ut.PROMPT, runtime, env)
                except Exception as e:  # a ground truth that fails to run is reported, not hidden
                    print(f"{suite_name} {ut_id}: ground truth failed: {e}", file=sys.stderr)
                    continue
                emit(suite=suite_name, attack="user_task_facts", user_task=ut_id,
                     injection_task=None, vector="", text="", goal=None,
                     facts=task_facts(ut, suite.load_and_inject_default_environment({})))
                for i, m in enumerate(messages):
                    if m["role"] == "tool" and m["content"] is not None:
                        emit(suite=suite_name, attack="benign_tool_output", user_task=ut_id,
                             injection_task=None, vector=f"call{i}",
                             text=get_text_content_as_str(m["content"]), goal=None)
    print(f"wrote {n} records to {out_path}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
