"""The template as CloudFormation sees it after the SAM transform (aws-sam-translator, offline)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode
from samtranslator.translator.transform import transform

ROOT = Path(__file__).resolve().parents[2]


class _NoManagedPolicies:
    def load(self) -> dict[str, str]:
        return {}


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    template, problems = decode(str(ROOT / "template.yaml"))
    assert not problems
    document = json.loads(json.dumps(template, default=str))
    for resource in document["Resources"].values():  # what `sam package` does before deploy
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if key in props:
                props[key] = "s3://bucket/artifact.zip"
    import os

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return dict(transform(document, {}, _NoManagedPolicies())["Resources"])


def _statements(resources: dict[str, Any], role: str) -> list[dict[str, Any]]:
    policies = resources[role]["Properties"].get("Policies", [])
    return [s for p in policies for s in p["PolicyDocument"]["Statement"]]


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    out: set[str] = set()
    for s in statements:
        actions = s["Action"]
        out |= set(actions if isinstance(actions, list) else [actions])
    return out


def test_the_queue_is_fifo_with_a_dead_letter_redrive(resources: dict[str, Any]) -> None:
    queue = resources["ConversationQueue"]["Properties"]
    assert queue["FifoQueue"] is True and queue["ContentBasedDeduplication"] is False
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 3
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["ConversationDeadLetterQueue", "Arn"]
    }
    assert resources["ConversationDeadLetterQueue"]["Properties"]["FifoQueue"] is True
    mapping = next(r for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping")
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_the_proactive_run_is_woken_when_due_and_daily_and_nothing_else_is_scheduled(
    resources: dict[str, Any],
) -> None:
    schedules = {
        name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::Scheduler::Schedule"
    }
    assert len(schedules) == 2  # no decay job: mood is computed when read
    for props in schedules.values():
        assert "ProactiveFunction" in json.dumps(props["Target"]["Arn"])
        assert props["Target"]["RetryPolicy"]["MaximumRetryAttempts"] == 0
    expressions = sorted(json.dumps(p["ScheduleExpression"]) for p in schedules.values())
    assert expressions == ['"at(2099-12-31T00:00:00)"', '"rate(1 day)"']
    wake = schedules["ProactiveWakeSchedule"]
    # The name the functions arm (WAKE_SCHEDULE) is the schedule's own.
    assert wake["Name"] == {"Fn::Sub": "${AWS::StackName}-wake"}
    for function in ("ConversationFunction", "ProactiveFunction"):
        env = resources[function]["Properties"]["Environment"]["Variables"]
        assert env["WAKE_SCHEDULE"] == wake["Name"], function
    assert "WAKE_SCHEDULE" not in json.dumps(resources["InteractionsFunction"]["Properties"])
    assert "ProactiveWakeRole" in json.dumps(wake["Target"]["RoleArn"])


def test_the_wake_up_may_only_invoke_the_proactive_run(resources: dict[str, Any]) -> None:
    role = resources["ProactiveWakeRole"]["Properties"]
    trust = role["AssumeRolePolicyDocument"]["Statement"]
    assert [t["Principal"] for t in trust] == [{"Service": "scheduler.amazonaws.com"}]
    assert all("aws:SourceAccount" in t["Condition"]["StringEquals"] for t in trust)
    assert "Policies" not in role and "ManagedPolicyArns" not in role
    policy = resources["ProactiveWakeInvokePolicy"]["Properties"]
    statements = policy["PolicyDocument"]["Statement"]
    assert _actions(statements) == {"lambda:InvokeFunction"}
    assert [s["Resource"] for s in statements] == [{"Fn::GetAtt": ["ProactiveFunction", "Arn"]}]


def test_the_interactions_function_may_only_queue_and_never_reads_the_secret(
    resources: dict[str, Any],
) -> None:
    managed = json.dumps(resources["InteractionsFunctionRole"]["Properties"]["ManagedPolicyArns"])
    assert "AWSLambdaBasicExecutionRole" in managed and "SQS" not in managed
    statements = _statements(resources, "InteractionsFunctionRole")
    assert statements
    assert _actions(statements) <= {"sqs:SendMessage*", "sqs:SendMessage"}  # no secretsmanager:GetSecretValue
    for statement in statements:
        resource = json.dumps(statement["Resource"])
        assert '"*"' not in resource
        assert "ConversationQueue" in resource and "DeadLetter" not in resource
    env = resources["InteractionsFunction"]["Properties"]["Environment"]["Variables"]
    assert env["SECRETS_ARN"] == ""  # the Globals' secret is taken away from the public endpoint
    assert env["DISCORD_PUBLIC_KEY"] == {"Ref": "DiscordPublicKey"}


def test_the_other_functions_only_read_the_secret_and_arm_the_wake_up(resources: dict[str, Any]) -> None:
    for role in ("ConversationFunctionRole", "ProactiveFunctionRole", "MigrateFunctionRole"):
        statements = _statements(resources, role)
        secret = [s for s in statements if "AppSecret" in json.dumps(s["Resource"])]
        assert secret and _actions(secret) == {"secretsmanager:GetSecretValue"}, role
        rest = [s for s in statements if s not in secret]
        if role == "MigrateFunctionRole":
            assert rest == [], role
            continue
        # Both the worker and the run move the one wake-up schedule, and may hand it only its own role.
        wake = [s for s in rest if any(a.startswith(("scheduler:", "iam:")) for a in _actions([s]))]
        assert _actions(wake) == {"scheduler:GetSchedule", "scheduler:UpdateSchedule", "iam:PassRole"}, role
        for statement in wake:
            resource = json.dumps(statement["Resource"])
            if "iam:PassRole" in _actions([statement]):
                assert statement["Resource"] == {"Fn::GetAtt": ["ProactiveWakeRole", "Arn"]}
                passed_to = statement["Condition"]["StringEquals"]["iam:PassedToService"]
                assert passed_to == "scheduler.amazonaws.com"
            else:
                assert resource.endswith('schedule/default/${AWS::StackName}-wake"}'), resource
        rest = [s for s in rest if s not in wake]
        if role == "ConversationFunctionRole":
            # A failed turn comes back in seconds: the worker shortens its own records' visibility, on its
            # own queue only.
            assert _actions(rest) == {"sqs:ChangeMessageVisibility"}
            assert all("ConversationQueue" in json.dumps(s["Resource"]) for s in rest)
        else:
            assert rest == [], role
    managed = json.dumps(resources["ConversationFunctionRole"]["Properties"]["ManagedPolicyArns"])
    assert "AWSLambdaSQSQueueExecutionRole" in managed  # what SAM grants for the queue trigger


def test_alarms_cover_what_fails_loudly_and_what_fails_quietly(resources: dict[str, Any]) -> None:
    alarms = {k: r["Properties"] for k, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert {
        "DeadLetterAlarm",
        "InteractionsErrorsAlarm",
        "ConversationErrorsAlarm",
        "InteractionsLatencyAlarm",
        "ModelErrorsAlarm",
        "MissedTurnsAlarm",
        "InteractionsThrottlesAlarm",
        "ConversationThrottlesAlarm",
        "QueueAgeAlarm",
        "DailyRunMissedAlarm",
    } <= set(alarms)
    assert all(a["AlarmActions"] == [{"Ref": "AlarmTopic"}] for a in alarms.values())
    assert alarms["DailyRunMissedAlarm"]["TreatMissingData"] == "breaching"  # no run at all is the failure
    # CloudWatch cannot use the AWS-managed SNS key: a topic encrypted with it never delivers an alarm.
    assert "KmsMasterKeyId" not in resources["AlarmTopic"].get("Properties", {})
    assert "Condition" not in resources["AlarmEmailSubscription"]
    template, _ = decode(str(ROOT / "template.yaml"))
    assert "Default" not in template["Parameters"]["AlarmEmail"]  # someone must be told


def _dashboard(resources: dict[str, Any]) -> dict[str, Any]:
    body, names = resources["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    for name in [*names, "AWS::Region", "AWS::StackName", "InputTokenPrice", "OutputTokenPrice"]:
        body = body.replace("${" + name + "}", "1")
    return dict(json.loads(body))


def test_every_metric_the_code_emits_is_on_the_dashboard(resources: dict[str, Any]) -> None:
    import re

    emitted = set()
    for path in (ROOT / "layers/companion/loyal_companion").rglob("*.py"):
        emitted |= set(re.findall(r'record_metric\(\s*"(\w+)"', path.read_text()))
    emitted |= {
        "ProactiveSent",
        "ProactiveFailed",
        "ProactiveCancelled",
        "ProactiveRetried",
    }  # by name in a loop
    shown = json.dumps(_dashboard(resources))
    assert emitted and not [m for m in emitted if m not in shown], emitted
    assert "InputTokenPrice" in json.dumps(resources["Dashboard"]["Properties"]["DashboardBody"])


def test_the_guards_are_stack_parameters(resources: dict[str, Any]) -> None:
    template, _ = decode(str(ROOT / "template.yaml"))
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    for setting, parameter in (
        ("TURNS_PER_MINUTE", "TurnsPerMinute"),
        ("DAILY_TOKENS_PER_PERSON", "DailyTokensPerPerson"),
        ("DAILY_TOKENS_PER_SERVER", "DailyTokensPerServer"),
        ("DAILY_TOKENS_ALL", "DailyTokensAll"),
    ):
        assert env[setting] == {"Ref": parameter}, setting
    interactions = resources["InteractionsFunction"]["Properties"]
    assert interactions["ReservedConcurrentExecutions"]["Fn::If"][0] == "ReserveInteractions"


def test_two_stacks_in_one_region_do_not_collide_on_a_schedule_name(resources: dict[str, Any]) -> None:
    schedules = [r for r in resources.values() if r["Type"] == "AWS::Scheduler::Schedule"]
    assert len(schedules) == 2
    for schedule in schedules:
        assert "${AWS::StackName}" in json.dumps(schedule["Properties"]["Name"])


def test_two_stacks_in_one_region_keep_their_figures_and_alarms_apart(resources: dict[str, Any]) -> None:
    template, _ = decode(str(ROOT / "template.yaml"))
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["POWERTOOLS_SERVICE_NAME"] == {"Ref": "AWS::StackName"}  # the metrics' service dimension
    ours = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    ours = [a for a in ours if a["Namespace"] == "LoyalCompanion"]
    stack = [{"Name": "service", "Value": {"Ref": "AWS::StackName"}}]
    assert ours and all(a["Dimensions"] == stack for a in ours)
    body = resources["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"][0]
    assert "loyal-companion" not in body
    assert body.count("SEARCH(") == body.count('service=\\"${AWS::StackName}\\"')


def test_migrations_run_as_a_deploy_step(resources: dict[str, Any]) -> None:
    schema = resources["Schema"]
    assert schema["Type"] == "Custom::DatabaseSchema"
    assert "MigrateFunction" in json.dumps(schema["Properties"]["ServiceToken"])


def test_functions_are_arm64_on_a_current_python(resources: dict[str, Any]) -> None:
    functions = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Function"]
    assert len(functions) == 4
    for f in functions:
        assert f["Architectures"] == ["arm64"]
        assert f["Runtime"] == {"Ref": "PythonRuntime"} or str(f["Runtime"]).startswith("python3.1")


FUNCTIONS = (
    "InteractionsFunction",
    "ConversationFunction",
    "ProactiveFunction",
    "MigrateFunction",
)


def test_every_function_logs_to_a_group_with_retention(resources: dict[str, Any]) -> None:
    for name in FUNCTIONS:
        group = resources[f"{name}LogGroup"]
        assert group["Type"] == "AWS::Logs::LogGroup"
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, name
        logging_config = resources[name]["Properties"]["LoggingConfig"]
        assert logging_config["LogGroup"] == {"Ref": f"{name}LogGroup"}, name
    template, _ = decode(str(ROOT / "template.yaml"))
    assert template["Parameters"]["LogRetentionDays"]["Default"] == 30


def test_the_worker_is_capped_and_the_cap_can_be_reserved(resources: dict[str, Any]) -> None:
    mapping = next(r for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping")
    assert mapping["Properties"]["ScalingConfig"] == {"MaximumConcurrency": {"Ref": "WorkerConcurrency"}}
    worker = resources["ConversationFunction"]["Properties"]
    assert worker["ReservedConcurrentExecutions"] == {
        "Fn::If": ["ReserveWorker", {"Ref": "WorkerConcurrency"}, {"Ref": "AWS::NoValue"}]
    }
    proactive = resources["ProactiveFunction"]["Properties"]
    assert proactive["ReservedConcurrentExecutions"]["Fn::If"][0] == "ReserveProactive"
    template, _ = decode(str(ROOT / "template.yaml"))
    assert template["Parameters"]["WorkerConcurrency"]["MinValue"] == 2  # SQS's smallest maximum


def test_the_secret_survives_a_teardown_and_peoples_words_do_not(resources: dict[str, Any]) -> None:
    assert resources["AppSecret"]["DeletionPolicy"] == "Retain"
    assert resources["AppSecret"]["UpdateReplacePolicy"] == "Retain"
    dead_letters = resources["ConversationDeadLetterQueue"]
    assert dead_letters["DeletionPolicy"] == "Delete"  # whole interactions: they go with the stack
    assert dead_letters["Properties"]["MessageRetentionPeriod"] <= 4 * 24 * 3600


def test_an_upgrade_migrates_before_the_new_code_serves(resources: dict[str, Any]) -> None:
    for name in FUNCTIONS[:-1]:  # every function but the migrating one
        depends = resources[name].get("DependsOn", [])
        assert "Schema" in (depends if isinstance(depends, list) else [depends]), name
