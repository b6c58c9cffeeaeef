"""Renders AgentDojo's attacks offline, without calling a model, as JSON lines.

Every registered attack (except `manual`, which asks a person, and the DoS attacks, which carry no
goal) for every suite of benchmark v1.2.2, user task, injection task and injection vector; then the
benign injection-vector defaults and the ground-truth tool outputs of every user task. Attack
classes that want a model name get it from a stub pipeline named after a fixed model.
Usage: python bench/agentdojo-render.py OUT.jsonl
"""

import json
import sys

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
                for i, m in enumerate(messages):
                    if m["role"] == "tool" and m["content"] is not None:
                        emit(suite=suite_name, attack="benign_tool_output", user_task=ut_id,
                             injection_task=None, vector=f"call{i}",
                             text=get_text_content_as_str(m["content"]), goal=None)
    print(f"wrote {n} records to {out_path}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
