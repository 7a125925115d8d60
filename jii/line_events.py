"""What people send JII's LINE account (the webhook's events, as the SDK parses them). A one-time code links
the sender's LINE to the person who asked for it; "STOP" or unfollowing the account unlinks it; anything else
gets a short explanation in Japanese and English. Other events are acknowledged and ignored."""

import logging

from django.utils import translation
from django.utils.translation import gettext
from linebot.v3.messaging.exceptions import ApiException
from linebot.v3.webhooks import FollowEvent, MessageEvent, TextMessageContent, UnfollowEvent, UserSource

from jii import line, services

logger = logging.getLogger(__name__)

STOP_WORDS = {"STOP", "停止", "ストップ", "とめる", "止める"}
HELP = (
    "JIIのおしらせをLINEで受け取るには、状況確認ページに表示されたコードをここに送ってください。\n"
    "To get JII's messages on LINE, send us the code shown on your status page.\n"
    "止めるときは STOP と送ってください。To stop, send STOP."
)


def handle(event) -> None:
    if not isinstance(getattr(event, "source", None), UserSource):
        return  # a group or a room: JII's account writes to people only
    line_user_id = event.source.user_id
    if isinstance(event, UnfollowEvent):
        services.stop_line(line_user_id=line_user_id)
    elif isinstance(event, FollowEvent):
        answer(event, HELP)
    elif isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
        text = event.message.text.strip()
        if text.upper() in STOP_WORDS:
            stopped = services.stop_line(line_user_id=line_user_id)
            answer(event, "LINEでのおしらせを止めました。We have stopped messages on LINE." if stopped else HELP)
            return
        link = services.link_line(line_user_id=line_user_id, text=text)
        if link is None:
            answer(event, HELP)  # a wrong or expired code: the same answer, whoever it may belong to
            return
        reader = link.resident or link.user
        with translation.override(reader.language):
            answer(event, gettext("You will now get JII's messages here on LINE. To stop, send STOP."))


def answer(event, text: str) -> None:
    """Reply on LINE; if LINE cannot be reached, the person simply gets no answer this time."""
    try:
        line.reply(event.reply_token, text)
    except ApiException as error:
        logger.warning("LINE did not take a reply (%s)", error.status)
