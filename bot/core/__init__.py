"""The core: pure rules with no Slack, no database and no wall clock (`now` is passed in) —
cadence, rota, meetings, action items, calendar feed, task search and config validation. The
Dutch language kernel lives beside it in `bot.language`."""
