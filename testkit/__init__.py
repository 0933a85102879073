"""oov-bot's test kit: what both the test suite and the benchmarks need to drive the bot as Slack
does, without importing each other.

- fake_slack: a local fake of the Slack Web API that records every call, refuses payloads real
  Slack would refuse, and answers conversations.history/replies like Slack.
- block_kit: Slack's Block Kit rules per surface (messages, modals, Home), used by the fake.
- contracts: does every rendered action_id reach a Bolt listener?
- slack_requests: signed slash commands, interactions and events, sent over real HTTP.
- clock: a settable clock and the suite's fixed "now".
- app: oov-bot itself (context, Bolt app, web app) served by waitress in a thread.
- database: a scratch PostgreSQL database per run, and emptying tables between tests.
- throwaway_postgres: a PostgreSQL server of one test's own, to stop and start under the bot.
- team_config / piket_fixtures: variants of the bundled config directory.
- replies: reading the bot's answers.
- action_phrasings: Dutch action lines with the owner and due date each must yield.
- config_check: `oov-bot check` on a config directory.
- bench_runner: running a benchmark script as `make bench` does.

Nothing here is a pytest fixture; tests/conftest.py wraps these in thin fixtures.
"""
