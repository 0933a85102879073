"""The Dutch language kernel: the only place that reads and writes Dutch dates, times, weeks,
periods, numbers and person references. Pure: no Slack, no database, no wall clock.

Modules: `fold` (case and accents), `names` (weekdays, months, number words, help words),
`format` (writing dates and times in a given time zone), `workdays` (holidays), `dates` (dates,
weeks, periods, the horizon), `times` (times, moments, day parts, DST wall time), `due` (deadlines
in free text), `people` (person references), `command_words` (a command's words).
"""

from bot.language.command_words import (
    TO_WORDS,
    CommandWords,
    command_words,
    split_at_to,
    split_reason,
    without_date_preposition,
)
from bot.language.dates import (
    DayRange,
    check_horizon,
    parse_date,
    parse_date_phrase,
    parse_period,
    today_in,
)
from bot.language.due import DueDate, find_due_date, parse_due_date
from bot.language.errors import DutchDateError
from bot.language.fold import clean, compact, fold, visible, without_invisible
from bot.language.format import (
    DEFAULT_TZ,
    TZ,
    format_date,
    format_datetime,
    format_number,
    format_period,
    format_short_date,
    format_time,
)
from bot.language.names import HELP_WORDS, is_help, weekday_number
from bot.language.people import (
    MENTION_RE,
    PersonRef,
    mentioned_ids,
    parse_person_ref,
    resolve_person,
    without_mentions,
)
from bot.language.times import (
    ReadMoment,
    local_moments,
    parse_datetime,
    parse_time,
    read_moment,
    shift_wall,
    wall_time,
    wall_time_remark,
)
from bot.language.workdays import (
    add_working_days,
    dutch_holiday_name,
    is_working_day,
    next_working_day,
    previous_working_day,
    working_day_from,
)

__all__ = [
    "DEFAULT_TZ",
    "HELP_WORDS",
    "MENTION_RE",
    "TO_WORDS",
    "TZ",
    "CommandWords",
    "DayRange",
    "DueDate",
    "DutchDateError",
    "PersonRef",
    "ReadMoment",
    "add_working_days",
    "check_horizon",
    "clean",
    "command_words",
    "compact",
    "dutch_holiday_name",
    "find_due_date",
    "fold",
    "format_date",
    "format_datetime",
    "format_number",
    "format_period",
    "format_short_date",
    "format_time",
    "is_help",
    "is_working_day",
    "local_moments",
    "mentioned_ids",
    "next_working_day",
    "parse_date",
    "parse_date_phrase",
    "parse_datetime",
    "parse_due_date",
    "parse_period",
    "parse_person_ref",
    "parse_time",
    "previous_working_day",
    "read_moment",
    "resolve_person",
    "shift_wall",
    "split_at_to",
    "split_reason",
    "today_in",
    "visible",
    "wall_time",
    "wall_time_remark",
    "weekday_number",
    "without_date_preposition",
    "without_invisible",
    "without_mentions",
    "working_day_from",
]
