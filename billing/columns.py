"""The columns of the usage record files, in their order: one list per kind of record.

The carrier's mediation system writes these files (CSV, UTF-8, a header line, possibly gzipped),
the loader reads them (billing.loading), the traffic simulator writes them (billing.simulator)
and the daily ADR file uses the application records' columns. docs/usage-records.md describes
each column for customers; a test keeps it and these lists the same.

Times are ISO 8601 in UTC ("2026-12-07T14:03:15Z"); numbers are E.164; empty means none.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    required: bool = True


CALL_COLUMNS = (
    Column("call_id", "The carrier's unique ID of the call."),
    Column("start_time", "When the call was offered (UTC)."),
    Column("answer_time", "When it was answered (UTC); empty if it never was.", required=False),
    Column("end_time", "When it ended (UTC)."),
    Column("duration", "Seconds from start to end."),
    Column("billable_seconds", "Seconds billed: from answer to end, rounded up; 0 if unanswered."),
    Column("direction", "inbound (to the customer's number) or outbound (from it)."),
    Column("from", "The calling number."),
    Column("to", "The called number."),
    Column(
        "customer_number", "The customer's own number on the call: `to` inbound, `from` outbound."
    ),
    Column("trunk", "The ID of the customer's SIP trunk the call used.", required=False),
    Column("destination_class", "local, long_distance, toll_free or international."),
    Column("destination_country", "ISO country code of an international call.", required=False),
    Column("disposition", "answered, busy, no_answer, failed or cancelled."),
    Column("sip_code", "The final SIP response code (200, 486, 480, 404, 503...)."),
    Column("q850_cause", "The Q.850 release cause (16, 17, 18, 19, 34...).", required=False),
    Column(
        "post_dial_delay_ms",
        "Milliseconds from the call's start to its first ring.",
        required=False,
    ),
)

MESSAGE_COLUMNS = (
    Column("message_id", "The carrier's unique ID of the message."),
    Column("sent_time", "When it was sent (UTC)."),
    Column("direction", "inbound or outbound."),
    Column("kind", "sms or mms."),
    Column("from", "The sending number."),
    Column("to", "The receiving number."),
    Column("customer_number", "The customer's own number: `to` inbound, `from` outbound."),
    Column("segments", "How many segments the message took."),
    Column("status", "delivered, undelivered or failed."),
    Column("error_code", "The carrier's error code of a message not delivered.", required=False),
)

APP_COLUMNS = (
    Column("event_id", "The carrier's unique ID of the event."),
    Column("time", "When it happened (UTC)."),
    Column("application", "The CPaaS application: Engage, SmartFlows, ..."),
    Column("event", "What happened, in the application's words: flow_completed, message_sent..."),
    Column("customer_number", "The customer's number involved, if any.", required=False),
    Column("other_party", "The other party's number, if any.", required=False),
    Column("channel", "voice, sms, web...", required=False),
    Column("result", "How it ended: completed, abandoned, delivered...", required=False),
    Column("duration", "Seconds it lasted, if it lasts.", required=False),
    Column("units", "What the application counts for billing (1 by default).", required=False),
)
