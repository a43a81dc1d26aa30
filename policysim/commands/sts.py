"""`policysim assume-role`: the offline twin of `aws sts assume-role`, against a scenario's model."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from policysim.commands.common import fail, library_option
from policysim.digest import sha256
from policysim.identifiers import is_ascii_digits

EXIT_REFUSED = 254  # what the AWS CLI returns for a service error
TOKEN_CODE_LENGTH = 6


def simulated_credentials(session_arn: str, issued: datetime, duration: int) -> dict[str, str]:
    """Credentials shaped like STS's, plainly marked as simulated: they grant nothing anywhere."""
    digest = sha256(f"{session_arn}|{issued.isoformat()}".encode()).hexdigest().upper()
    return {
        "AccessKeyId": "ASIASIMULATED" + digest[:7],
        "SecretAccessKey": "policysim-simulated-not-a-secret-" + digest[7:20].lower(),
        "SessionToken": "policysim-simulated-session-token-" + digest[20:52].lower(),
        "Expiration": (issued + timedelta(seconds=duration)).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
    }


def register(app: typer.Typer) -> None:
    """Add `assume-role` to the app."""

    @app.command("assume-role")
    def assume_role(
        scenario: Annotated[Path, typer.Option(help="the scenario whose model stands in for AWS")],
        as_: Annotated[str, typer.Option("--as", help="the caller: user or role name, or principal ARN")],
        role_arn: Annotated[str, typer.Option(help="the role to assume")],
        role_session_name: Annotated[str, typer.Option(help="the session name")],
        external_id: Annotated[str | None, typer.Option()] = None,
        serial_number: Annotated[str | None, typer.Option(help="MFA device serial number or ARN")] = None,
        token_code: Annotated[str | None, typer.Option(help="MFA code (6 digits)")] = None,
        duration_seconds: Annotated[int | None, typer.Option()] = None,
        policy: Annotated[str | None, typer.Option(help="inline session policy JSON")] = None,
        source_identity: Annotated[str | None, typer.Option()] = None,
        managed_policies: Annotated[Path | None, typer.Option()] = None,
    ) -> None:
        """Assume a role as a principal of the scenario; prints STS's response, or STS's error and exits 254."""
        from policysim.flows.assume_role import Via
        from policysim.scenario.api import Scenario
        from policysim.services.messages import refusal_message

        if (serial_number is None) != (token_code is None):
            fail("--serial-number and --token-code go together")
        if token_code is not None and not (is_ascii_digits(token_code) and len(token_code) == TOKEN_CODE_LENGTH):
            fail("--token-code must be 6 digits")
        session_policy: dict[str, Any] | None = None
        if policy is not None:
            try:
                session_policy = json.loads(policy)
            except json.JSONDecodeError as error:
                fail(f"--policy is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}")
        world = Scenario.load(scenario, library=library_option(managed_policies))
        role = world.world.roles.get(role_arn)
        if role is None:
            fail(f"unknown role `{role_arn}` in {scenario}")
        outcome, session = world.try_assume_role(
            as_,
            role_arn,
            session_name=role_session_name,
            external_id=external_id,
            mfa=True if token_code else None,
            session_policy=session_policy,
            duration_seconds=duration_seconds,
            source_identity=source_identity,
            via=Via.CLI,
        )
        if session is None:
            print(refusal_message(outcome, "AssumeRole"), file=sys.stderr)
            raise typer.Exit(EXIT_REFUSED)
        issued = world.evaluator.clock()
        response: dict[str, Any] = {
            "Credentials": simulated_credentials(session.arn, issued, duration_seconds or 3600),
            "AssumedRoleUser": {"AssumedRoleId": session.actor.principal.user_id, "Arn": session.arn},
            "Simulated": "policysim: offline simulation; these credentials are not real and grant nothing",
        }
        if session_policy is not None:
            response["PackedPolicySize"] = min(
                100, len(json.dumps(session_policy, separators=(",", ":"))) * 100 // 2048
            )
        if source_identity is not None:
            response["SourceIdentity"] = source_identity
        print(json.dumps(response, indent=4))
