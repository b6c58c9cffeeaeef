# An outside A2A client, written with the official Python SDK (a2a-sdk, installed by
# scripts/a2a-python.sh): resolve an agent's public card with the SDK's own resolver, send one
# question with the bearer token through the SDK's AuthInterceptor, and poll GetTask until the
# task ends. Then the same task over A2A v0.3 (the SDK's compat transport), the extended card, and
# a push-config call (refused). One JSON object per line on stdout: the test reads them as they come.
# Usage: python python_client.py BASE_URL AGENT TOKEN QUESTION [TIMEOUT_S]
import asyncio
import json
import sys

import httpx
from a2a.client import (
    AuthInterceptor,
    ClientCallContext,
    ClientConfig,
    ClientFactory,
    InMemoryContextCredentialStore,
)
from a2a.client.card_resolver import A2ACardResolver
from a2a.helpers.proto_helpers import get_message_text, new_text_message
from a2a.types.a2a_pb2 import (
    AgentCard,
    GetExtendedAgentCardRequest,
    GetTaskRequest,
    Role,
    SendMessageRequest,
    TaskPushNotificationConfig,
    TaskState,
)
from a2a.utils.errors import A2AError

DONE = {TaskState.TASK_STATE_COMPLETED, TaskState.TASK_STATE_REJECTED,
        TaskState.TASK_STATE_CANCELED, TaskState.TASK_STATE_FAILED}


def say(**event):
    print(json.dumps(event), flush=True)


def task_event(task):
    return {
        'state': TaskState.Name(task.status.state),
        'text': get_message_text(task.status.message),
        'answer': [get_message_text(a) for a in task.artifacts],
    }


def only_version(card, version):
    """A copy of the card with only its interfaces of `version` (the client picks 1.0 otherwise)."""
    copy = AgentCard()
    copy.CopyFrom(card)
    del copy.supported_interfaces[:]
    copy.supported_interfaces.extend(
        i for i in card.supported_interfaces if i.protocol_version == version)
    return copy


async def main(base, agent, token, question, timeout):
    store = InMemoryContextCredentialStore()
    await store.set_credentials('partner', 'bearer', token)
    context = ClientCallContext(state={'sessionId': 'partner'})
    auth = [AuthInterceptor(store)]
    factory = ClientFactory(ClientConfig(streaming=False))
    # The public card, with no token, through the SDK's own resolver.
    async with httpx.AsyncClient() as http:
        card = await A2ACardResolver(http, f'{base}/agents/{agent}').get_agent_card()
    say(event='card', name=card.name,
        versions=[i.protocol_version for i in card.supported_interfaces])
    client = factory.create(card, interceptors=auth)

    message = new_text_message(question, role=Role.ROLE_USER)
    task = None
    async for response in client.send_message(SendMessageRequest(message=message), context=context):
        task = response.task
    say(event='sent', taskId=task.id, contextId=task.context_id, **task_event(task))

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while task.status.state not in DONE and loop.time() < deadline:
        await asyncio.sleep(0.5)
        task = await client.get_task(GetTaskRequest(id=task.id), context=context)
    say(event='done', **task_event(task))

    # The same task read over A2A v0.3 (the SDK's compat transport: A2A-Version 0.3, tasks/get).
    legacy = factory.create(only_version(card, '0.3'), interceptors=auth)
    old = await legacy.get_task(GetTaskRequest(id=task.id), context=context)
    say(event='v03', **task_event(old))

    extended = await client.get_extended_agent_card(GetExtendedAgentCardRequest(), context=context)
    say(event='extended', description=extended.description)
    try:
        await client.create_task_push_notification_config(
            TaskPushNotificationConfig(task_id=task.id, url='https://example.invalid/hook'),
            context=context)
        say(event='push', error=None)
    except A2AError as err:
        say(event='push', error=type(err).__name__)
    for c in (client, legacy):
        await c.close()


if __name__ == '__main__':
    base_url, agent_id, bearer, text = sys.argv[1:5]
    limit = float(sys.argv[5]) if len(sys.argv) > 5 else 120
    asyncio.run(main(base_url, agent_id, bearer, text, limit))
