"""LINE, the messenger most people in Japan use, through the official SDK (line-bot-sdk v3): pushing a message
to a linked person, replying to what they send JII's account, and the links to add the account and send it a
code. Offered only when the channel's secret and access token are set."""

from urllib.parse import quote

from django.conf import settings
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
    TextMessage,
)

TEXT_LIMIT = 5000  # characters in one LINE text message


def configured() -> bool:
    return bool(settings.LINE_CHANNEL_SECRET and settings.LINE_CHANNEL_ACCESS_TOKEN)


def messaging_api() -> MessagingApi:
    return MessagingApi(ApiClient(Configuration(access_token=settings.LINE_CHANNEL_ACCESS_TOKEN)))


def push(line_user_id: str, text: str, *, retry_key: str) -> None:
    """Push one text message. The retry key (a UUID) makes LINE deliver a retried push only once."""
    request = PushMessageRequest(to=line_user_id, messages=[TextMessage(text=text[:TEXT_LIMIT])])
    messaging_api().push_message(request, x_line_retry_key=retry_key)


def reply(reply_token: str, text: str) -> None:
    request = ReplyMessageRequest(replyToken=reply_token, messages=[TextMessage(text=text[:TEXT_LIMIT])])
    messaging_api().reply_message(request)


def add_friend_url() -> str:
    return f"https://line.me/R/ti/p/{quote(settings.LINE_BOT_ID)}"


def send_code_url(code: str) -> str:
    """Opens a chat with JII's account with the code already typed in."""
    return f"https://line.me/R/oaMessage/{quote(settings.LINE_BOT_ID)}/?{quote(code)}"
