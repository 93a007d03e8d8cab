"""Every text a user reads, in Simplified Chinese, kept in one place for translation."""

from __future__ import annotations

STATUS = {
    "draft": "草稿",
    "triage": "待分拨",
    "routed": "已派单",
    "acknowledged": "已签收",
    "closed": "已办结",
    "cancelled": "已取消",
}
RATINGS = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
ROLES = {
    "admin": "管理员",
    "deputy": "人大代表",
    "handler": "承办人员",
    "supervisor": "部门负责人",
    "stranger": "访客",
    "platform": "12345热线",
}
LEVELS = ("全国", "省", "市", "县", "乡")
EVENTS = {
    "created": "收到诉求",
    "reclassified": "更换分类",
    "submitted": "提交",
    "cancelled": "取消",
    "acknowledged": "签收",
    "returned": "退回",
    "rerouted": "改派",
    "progress": "进展",
    "answered": "答复办结",
    "rated": "评价",
    "reopened": "重办",
    "reminded": "提醒",
    "extension_requested": "申请延期",
    "extended": "批准延期",
    "extension_refused": "不批准延期",
    "lookback": "回头看",
    "transfer_requested": "申请转办",
    "transferred": "转办",
    "transfer_refused": "不批准转办",
    "released": "撤销签收",
}

# Buttons
BTN_SUBMIT = "提交"
BTN_RECLASSIFY = "换分类"
BTN_CANCEL = "取消"
BTN_TRIAGE = "不确定，交人工分拨"
BTN_ACK = "签收"
BTN_RETURN = "退回"
BTN_ANSWER = "答复办结"
BTN_PROGRESS = "进展"

# Access
STRANGER = (
    "您好！本机器人仅供人大代表和承办单位使用。\n"
    "如需使用，请联系人大联工委或 12345 热线中心的管理员领取邀请码，"
    "然后发送 /start 邀请码 完成绑定。"
)
NOT_ALLOWED = "抱歉，您的身份无权执行此操作。发送 /help 查看可用功能。"
STALE_BUTTON = "此按钮已失效"
INVITE_INVALID = "邀请码无效、已使用或已过期。请联系管理员重新领取。"
ALREADY_BOUND = "您的账号已绑定为{role}（{name}），无需再次绑定。"
WELCOME_DEPUTY = (
    "欢迎您，{name}代表！绑定成功。\n直接发送群众反映的问题即可提交诉求。发送 /help 查看全部功能。"
)
WELCOME_HANDLER = "欢迎您，{name}！您已绑定为【{department}】承办人员。新派单会自动推送给您。发送 /help 查看全部功能。"
WELCOME_SUPERVISOR = "欢迎您，{name}！您已绑定为【{department}】负责人，将收到本部门超时诉求的督办提醒。发送 /help 查看全部功能。"
WELCOME_BACK = "您好，{name}（{role}）。发送 /help 查看可用功能。"

HELP = {
    "deputy": (
        "人大代表可用功能：\n"
        "• 直接发送文字：提交群众反映的问题（系统自动分类，确认后提交）\n"
        "• /new 新建诉求\n"
        "• /mine 我提交的诉求及办理状态\n"
        "• /status 编号 查看某件诉求的完整办理记录\n"
        "• /record 我的履职档案（本月、本年）\n"
        "• /web 获取服务台网页的登录链接（在电脑或手机浏览器查看台账）\n"
        "• /cancel 取消正在进行的输入\n"
        "• /help 显示本帮助"
    ),
    "handler": (
        "承办人员可用功能：\n"
        "• 收到派单后点“签收”或“退回”（退回需说明理由）\n"
        "• 签收后点“进展”反馈阶段进展，点“答复办结”发送最终答复\n"
        "• /mine 本部门待办诉求\n"
        "• /status 编号 查看诉求完整记录\n"
        "• /web 获取服务台网页的登录链接（查看本部门台账）\n"
        "• /cancel 取消正在进行的输入\n"
        "• /help 显示本帮助"
    ),
    "supervisor": (
        "部门负责人可用功能：\n"
        "• 本部门诉求超过答复时限时，会收到督办提醒\n"
        "• /mine 本部门待办诉求\n"
        "• /status 编号 查看诉求完整记录\n"
        "• /web 获取服务台网页的登录链接（查看本部门台账）\n"
        "• /help 显示本帮助"
    ),
    "admin": (
        "管理员可用功能：\n"
        "• /invite deputy 姓名 层级 选区 — 生成代表邀请码（层级：全国/省/市/县/乡）\n"
        "• /invite handler 部门代码 姓名 — 生成承办人员邀请码\n"
        "• /invite supervisor 部门代码 姓名 — 生成部门负责人邀请码\n"
        "• /triage 查看待分拨诉求并改派\n"
        "• /revoke 查看已绑定成员；/revoke 编号 解除该成员的绑定\n"
        "• /reload 重新加载分类配置（config/routing.toml）\n"
        "• /keyword 分类 +关键词 [权重] 或 /keyword 分类 -关键词 — 修改分类关键词并立即生效\n"
        "• /learn [起始日期] 根据代表换分类、管理员改派等纠正记录学习关键词（确认后才生效）\n"
        "• /summary [week|month] 试点小结（文字和图表），每周一 09:00 自动发送\n"
        "• /record 代表姓名 查看该代表本月、本年履职档案\n"
        "• /web 获取服务台网页的登录链接（台账、筛选、分页）\n"
        "• /mine 待分拨及办理中诉求概况\n"
        "• /status 编号 查看诉求完整记录\n"
        "• /help 显示本帮助"
    ),
}
COMMANDS = {
    "default": [("start", "开始 / 绑定邀请码"), ("help", "使用帮助")],
    "deputy": [
        ("new", "提交新诉求"),
        ("mine", "我的诉求"),
        ("status", "查看诉求办理记录"),
        ("record", "我的履职档案"),
        ("web", "服务台网页登录链接"),
        ("cancel", "取消当前输入"),
        ("help", "使用帮助"),
    ],
    "handler": [
        ("mine", "本部门待办"),
        ("status", "查看诉求办理记录"),
        ("cancel", "取消当前输入"),
        ("web", "服务台网页登录链接"),
        ("help", "使用帮助"),
    ],
    "supervisor": [
        ("mine", "本部门待办"),
        ("status", "查看诉求办理记录"),
        ("web", "服务台网页登录链接"),
        ("help", "使用帮助"),
    ],
    "admin": [
        ("invite", "生成邀请码"),
        ("triage", "待分拨诉求"),
        ("revoke", "成员列表 / 解除绑定"),
        ("reload", "重新加载分类配置"),
        ("keyword", "修改分类关键词"),
        ("learn", "根据纠正记录学习关键词"),
        ("summary", "试点小结"),
        ("record", "代表履职档案"),
        ("web", "服务台网页登录链接"),
        ("mine", "诉求概况"),
        ("status", "查看诉求办理记录"),
        ("help", "使用帮助"),
    ],
}

# Intake
NEW_PROMPT = "请直接发送群众反映的问题，尽量写清地点、时间和诉求。"
EMPTY_TEXT = "内容为空，请发送文字描述的问题。"
TOO_LONG = "内容过长（{length} 字），请精简到 {limit} 字以内后重新发送。"
TEXT_ONLY = "暂只支持文字或带说明的图片，请用文字描述问题（可注明地点）。"
PHOTO_NEEDS_CAPTION = "请在图片下方的“说明”里写明反映的问题（地点、情况、诉求），再发送一次。"
WITH_PHOTO = "📷 "
PHOTO_CAPTION = "{no} 的现场图片"
DRAFT_CARD = "📋 诉求预览\n内容：{text}\n分类：{topic}\n承办部门：{department}\n{basis}\n确认无误请点“提交”。"
DRAFT_CARD_UNSURE = "📋 诉求预览\n内容：{text}\n分类：{topic}\n承办部门：{department}\n{basis}"
BASIS_KEYWORDS = "判断依据：{keywords}（置信度 {confidence}%）"
BASIS_MANUAL = "判断依据：代表手动选择"
BASIS_NONE = "判断依据：未能自动判断，提交后由人工分拨"
BASIS_GUESS = "判断依据：把握不大，可能属于「{topic}」。确认请点下方分类按钮；直接提交则由人工分拨"
BTN_GUESS = "归入「{topic}」"
BTN_SUGGESTION = "{topic}（{department}）"
BASIS_SUGGEST = (
    "判断依据：把握不大（{keywords}），可能属于{topics}。请点下方分类按钮确认，或交人工分拨"
)
TOPIC_UNKNOWN = "待人工分拨"
TOPIC_NONE = "未分类"
CHOOSE_TOPIC = "请选择分类：\n内容：{text}"
DRAFT_CANCELLED = "已取消，未提交。\n内容：{text}"
SUBMITTED_CARD = "✅ 已提交（编号 {no}）\n内容：{text}"
RECEIVED_ROUTED = (
    "已收到您的诉求，编号 {no}，已派至【{department}】办理。办理进展会第一时间通知您。"
)
RECEIVED_TRIAGE = "已收到您的诉求，编号 {no}。系统未能确定承办部门，已转人工分拨，分派后会通知您。"

# Cards for handlers and admins
HANDLER_CARD = "🆕 新派单 {no}\n代表：{deputy}\n分类：{topic}\n内容：{text}{extra}"
REOPEN_EXTRA = "\n⚠️ 重办：代表不满意，理由：{reason}"
TRIAGE_CARD = "📥 待分拨 {no}\n代表：{deputy}\n内容：{text}\n{why}\n请选择承办部门："
TRIAGE_WHY_ABSTAINED = "原因：系统未能自动分类"
TRIAGE_WHY_RETURNED = "原因：【{department}】退回，理由：{reason}"
ACKED_CARD = "📌 已签收 {no}（{name}）\n内容：{text}\n处理后请点“答复办结”发送最终答复，或点“进展”反馈阶段进展。"
CARD_TAKEN = "{no} 已由 {name} 签收。\n内容：{text}"
CARD_RETURNED = "{no} 已退回分拨。\n内容：{text}"
CARD_ROUTED = "{no} 已派至【{department}】。\n内容：{text}"

# Pending inputs
ASK_RETURN_REASON = (
    "请发送退回 {no} 的理由（例如：不属于本部门职责，应由某部门办理）。发送 /cancel 放弃。"
)
ASK_ANSWER = "请发送 {no} 的最终答复内容，发送后即办结并通知代表。发送 /cancel 放弃。"
ASK_PROGRESS = "请发送 {no} 的进展说明，代表会收到通知。发送 /cancel 放弃。"
ASK_UNSATISFIED = "请简要说明对 {no} 答复不满意的原因，我们将要求重新办理。发送 /cancel 放弃。"
INPUT_CANCELLED = "已取消。"
NOTHING_TO_CANCEL = "当前没有进行中的输入。"
HANDLER_TEXT_HINT = (
    "如需答复诉求，请先在派单消息上点“答复办结”或“进展”。发送 /mine 查看本部门待办。"
)
ADMIN_TEXT_HINT = "管理员请使用命令操作，发送 /help 查看。"

# Notifications
TO_DEPUTY_ACKED = "您的诉求 {no} 已由【{department}】签收，承办人：{name}。"
TO_DEPUTY_PROGRESS = "诉求 {no} 办理进展（{department}）：\n{text}"
TO_DEPUTY_ANSWER = "诉求 {no} 已办结。\n【{department}】答复：\n{text}\n\n请对办理结果进行评价："
TO_DEPUTY_REROUTED = "您的诉求 {no} 已派至【{department}】办理。"
TO_DEPUTY_RETURNED = "您的诉求 {no} 正在重新确定承办部门，请稍候。"
TO_DEPUTY_REOPENED = "已收到您的评价。诉求 {no} 已要求【{department}】重新办理。"
TO_DEPUTY_THANKS = "感谢您的评价（{rating}）！诉求 {no} 办理完毕。"
HANDLER_DONE_PROGRESS = "进展已发送给代表（{no}）。"
HANDLER_DONE_ANSWER = "答复已发送，{no} 已办结。"
HANDLER_DONE_RETURN = "{no} 已退回，等待管理员改派。"
ADMIN_REROUTED = "{no} 已改派至【{department}】。"
TOAST_ACKED = "已签收"
TOAST_OK = "好的"

# Queries
MINE_EMPTY = "暂无记录。"
MINE_HEADER_DEPUTY = "您提交的诉求（最近 {count} 件）："
MINE_HEADER_HANDLER = "【{department}】待办诉求（{count} 件，最急的在前）："
CLOSED_RECENTLY = "近 {days} 天办结 {count}"
MINE_HEADER_ADMIN = "诉求概况：{counts}\n待分拨（{count} 件）："
MINE_LINE = "{no}｜{status}｜{topic}｜{text}"
STATUS_USAGE = "用法：/status 编号，例如 /status 261129-0001"
STATUS_NOT_FOUND = "未找到编号为 {no} 的诉求，或您无权查看。"
STATUS_CARD = (
    "诉求 {no}｜{status}\n代表：{deputy}\n分类：{topic}｜承办：{department}\n内容：{text}\n"
    "{answer}办理记录：\n{events}"
)
STATUS_ANSWER = "答复：{answer}\n评价：{rating}\n"
STATUS_EVENT = "• {at} {who}{kind}{change}{note}"
TRIAGE_EMPTY = "当前没有待分拨的诉求。"

# Invites
INVITE_USAGE = (
    "用法：\n/invite deputy 姓名 层级 选区（层级：全国/省/市/县/乡）\n/invite handler 部门代码 姓名\n"
    "/invite supervisor 部门代码 姓名\n"
    "部门代码：{departments}"
)
INVITE_CREATED = (
    "邀请码：{code}\n对象：{who}\n有效期至：{expires}\n绑定链接：{link}\n（仅可使用一次）"
)
INVITE_BAD_LEVEL = "层级须为：全国、省、市、县、乡之一。"
INVITE_BAD_DEPARTMENT = "未知的部门代码 {code}。可用：{departments}"

# Errors
INTERNAL_ERROR_ADMIN = "⚠️ 机器人处理消息时出错：{error}（详见日志）"
INTERNAL_ERROR_REPEATED = "⚠️ 过去 {minutes} 分钟内同类错误又发生 {count} 次：{error}（详见日志）"
UPDATE_FAILED = "抱歉，系统处理您刚才的操作时出错，已通知管理员。请稍后再试，或发送 /help。"
BAD_TEXT = "消息中含有无法识别的字符，请删除特殊符号后重新发送文字。"
CHAT_HELD_ADMIN = (
    "⚠️ 无法给{who}发消息（{reason}），可能已屏蔽机器人。消息已暂存，对方恢复后会自动补发。"
)
MESSAGE_CLIPPED = "\n……（内容过长，已截断）"
RUN_NEEDS_TOKEN = "未设置 TELEGRAM_BOT_TOKEN，机器人无法连接 Telegram。离线演示请运行 deputybot demo（或 make run）。"
SCHEMA_BEHIND = "数据库结构不是最新的。请先运行 deputybot migrate（或启动机器人，它会自动升级）。"
NO_HANDLERS = "⚠️ {no} 已派至【{department}】，但该部门尚无绑定的承办人员，请尽快邀请。"
RELOAD_REFUSED = "⚠️ 分类配置文件有误，已拒绝加载，仍使用原配置：\n{problems}"
RELOAD_DONE = "分类配置已重新加载：{topics} 个分类，{departments} 个部门。"

# Deadlines, reminders and supervision
URGENT_TAG = "【紧急】"
BTN_URGENT = "标记紧急"
BTN_NOT_URGENT = "取消紧急"
BTN_EXTEND = "申请延期"
BTN_APPROVE = "批准延期"
BTN_REFUSE = "不批准"
BTN_RESOLVED = "已解决"
BTN_RECURRED = "又出现了"
DUE_LINE = "\n签收时限：{ack}｜答复时限：{answer}"
REMIND_ACK = "⏰ 催办：{no} 已超过签收时限（{due}），请尽快签收。\n内容：{text}"
ESCALATE_ACK = "⚠️ {no} 派至【{department}】后超时未签收（时限 {due}），请协调。\n内容：{text}"
REMIND_ANSWER = "⏰ 催办：{no} 的答复时限为 {due}，已过 {percent}%，请抓紧办理。\n内容：{text}"
BREACH_ANSWER = "⏰ 催办：{no} 已超过答复时限（{due}），请立即办理并答复。\n内容：{text}"
SUPERVISE = (
    "🔴 督办：{no}（{department}）已超过答复时限 {due}，仍未办结。\n代表：{deputy}\n内容：{text}"
)
FOLLOWUP = "回访：诉求 {no} 已于 {closed} 办结，请您对办理结果进行评价。\n答复：{answer}"
LOOKBACK = "回头看：诉求 {no} 办结已满 30 天，问题是否已经解决？\n内容：{text}"
LOOKBACK_OK = "感谢反馈！诉求 {no} 确认已解决。"
LOOKBACK_AGAIN = "已收到。问题又出现了，已重新立案（新编号 {new}），派至【{department}】办理。"
RECURRENCE_EXTRA = "\n🔁 回头看复发：原诉求 {no} 办结后问题再次出现"
ASK_EXTENSION = (
    "请发送 {no} 的延期理由，管理员批准后答复时限顺延（每件仅可延期一次）。发送 /cancel 放弃。"
)
EXTENSION_REQUEST = "⏳ 延期申请：{no}（{department}，{name}）\n理由：{reason}\n当前答复时限：{due}\n延期后：{new_due}"
EXTENSION_SENT = "延期申请已提交（{no}），等待管理员审批。"
EXTENSION_APPROVED = "{no} 的延期申请已批准，新的答复时限：{due}。"
EXTENDED_BY_PLATFORM = "12345平台已将 {no} 的答复时限延至 {due}。"
EXTENSION_REFUSED = "{no} 的延期申请未获批准，请按原时限 {due} 答复。"
EXTENSION_DONE_ADMIN = "{no} 延期{result}。"
EXTENSION_USED = "{no} 已申请过延期，每件诉求仅可延期一次。"
BTN_TRANSFER = "转办"
BTN_APPROVE_TRANSFER = "批准转办"
TRANSFER_PICK = "请选择 {no} 转办的部门：\n内容：{text}"
ASK_TRANSFER = (
    "请发送 {no} 转办的理由（为什么应由该部门办理），管理员批准后转出。发送 /cancel 放弃。"
)
TRANSFER_REQUEST = (
    "🔀 转办申请：{no}（{department} → {target}，{name}）\n理由：{reason}\n内容：{text}"
)
TRANSFER_SENT = "转办申请已提交（{no} → {target}），等待管理员审批。"
TRANSFER_APPROVED = "{no} 的转办申请已批准，已转至【{department}】。"
TRANSFER_REFUSED = "{no} 转至【{target}】的申请未获批准，请继续办理。"
TRANSFER_DONE_ADMIN = "{no} 转办{result}。"
TRANSFER_WAITING = "{no} 已有转办申请等待审批。"
CARD_TRANSFERRED = "{no} 已转办至【{department}】。\n内容：{text}"
DIGEST_HEADER = "📋 每日待办（{department}，{count} 件，最急的在前）："
DIGEST_LINE = "{no}｜{status}｜{due}"
OVERDUE_BY = "已超时 {hours} 小时"
DUE_IN = "剩 {hours} 小时"

# Pilot summary (bot/services/summary_text.py, bot/services/chart.py)
SUMMARY_HEADER = "📊 人大代表社情民意直通 12345 试点小结（{period}）"
SUMMARY_PERIOD = "{start} 至 {end}"
SUMMARY_RECEIVED = "收到诉求 {received} 件{previous}，已办结 {closed} 件。"
SUMMARY_PREVIOUS = "（上期 {count} 件）"
SUMMARY_EMPTY = "本期没有收到诉求。"
SUMMARY_RATES = "三率（本期｜苏州 2023 年参考）："
SUMMARY_RATE = "• {name} {value}（{detail}）｜苏州 {reference}"
SUMMARY_RATE_NAMES = {"response": "响应率", "resolution": "解决率", "satisfaction": "满意率"}
SUMMARY_RATE_DETAILS = {
    "response": "按时签收 {part}/{whole} 件",
    "resolution": "办结 {part}/{whole} 件",
    "satisfaction": "满意及基本满意 {part}/{whole} 件",
}
SUMMARY_RATE_EMPTY = {
    "response": "暂无到期应签收的诉求",
    "resolution": "暂无诉求",
    "satisfaction": "暂无评价",
}
SUMMARY_REFERENCES = {"response": 0.9941, "resolution": 0.9836, "satisfaction": 0.9769}
SUMMARY_NO_VALUE = "—"
SUMMARY_MEDIANS = "用时中位数：签收 {ack}，答复 {answer}"
SUMMARY_HOURS = "{hours} 小时"
SUMMARY_BY_TOPIC = "按分类：{counts}"
SUMMARY_BY_DEPARTMENT = "按承办部门：{counts}"
SUMMARY_BY_DISTRICT = "按选区：{counts}"
SUMMARY_BY_LEVEL = "按代表层级：{counts}"
SUMMARY_COUNT = "{name} {count}"
SUMMARY_SEPARATOR = "、"
SUMMARY_AND_MORE = "等 {count} 项"
SUMMARY_UNKNOWN_TOPIC = "未分类"
SUMMARY_UNKNOWN_DEPARTMENT = "待分拨"
SUMMARY_UNKNOWN = "未登记"
SUMMARY_LEVEL = "{level}级"
SUMMARY_OVERDUE = "⏰ 超时未办结 {count} 件（超时最久的在前）："
SUMMARY_OVERDUE_LINE = "• {no}｜{department}｜已超时 {hours} 小时"
SUMMARY_OVERDUE_MORE = "……另有 {count} 件"
SUMMARY_OVERDUE_NONE = "✅ 没有超时未办结的诉求。"
SUMMARY_HOT = "🔥 热点（本期 ≥ 3 件且多于上期）："
SUMMARY_HOT_LINE = "• {kind}「{name}」{current} 件，上期 {before} 件（{growth}）"
SUMMARY_HOT_KINDS = {"topic": "分类", "district": "选区"}
SUMMARY_GROWTH = "+{percent}%"
SUMMARY_GROWTH_NEW = "新出现"
SUMMARY_HOT_NONE = "热点：无明显上升的分类或选区。"
SUMMARY_RECURRENCES = "🔁 回头看“又出现了”重新立案：{counts}"
SUMMARY_CLIPPED = "…（内容过长，已截断）"
SUMMARY_BAD_PERIOD = "结束日期不能早于开始日期。"
CHART_TITLE = "人大代表直通 12345 试点　{period}　收到 {received} 件"
CHART_BY_DEPARTMENT = "按承办部门（件）"
CHART_BY_TOPIC = "按分类（件）"
CHART_RATES = "三率（%），虚线为苏州 2023 年"
CHART_NO_DATA = "暂无数据"
# ASCII stand-ins, used only when no CJK font can be loaded.
CHART_FALLBACK = {
    "title": "12345 pilot {period}: {received} received",
    "period": "{start} to {end}",
    "by_department": "By department",
    "by_topic": "By topic",
    "rates": "Rates (%), dashed: Suzhou 2023",
    "no_data": "No data",
    "response": "response",
    "resolution": "resolution",
    "satisfaction": "satisfaction",
}

# Summary command
SUMMARY_USAGE = "用法：/summary 或 /summary week（近 7 天）、/summary month（近 30 天）"

# Membership
REVOKED_NOTICE = (
    "您的账号已被管理员解除绑定，不能再通过本机器人提交或办理诉求。如有疑问，请联系管理员。"
)
REVOKE_USAGE = "用法：/revoke 查看已绑定成员；/revoke 编号 解除该成员的绑定。"
REVOKE_UNKNOWN = "没有编号为 {id} 的成员。发送 /revoke 查看成员列表。"
REVOKE_ALREADY = "{who}已于 {at} 解除绑定，无需重复操作。"
REVOKE_DONE = "已解除{who}的绑定，并已通知本人。"
REVOKE_RELEASED = "其签收的 {count} 件未办结诉求已退回【{department}】重新签收：{numbers}"
REVOKE_NOTHING_OPEN = "其名下没有已签收未办结的诉求。"
REVOKE_DEPUTY_ITEMS = "其提交的诉求保持原状，办理记录仍可用 /status 编号 查看。"
REVOKE_QUEUED = "通知已写入发件箱，由运行中的机器人发送。"
RELEASED_NOTE = "签收人 {name} 已解除绑定，退回【{department}】重新签收"
RELEASED_EXTRA = "\n↩️ 原签收人 {name} 已解除绑定，请重新签收。"
MEMBER_WHO = "{role} {name}（{place}）"
MEMBER_PLACE_DEPUTY = "{level}级，{district}"
MEMBERS_HEADER = "已绑定成员（{count} 人）："
MEMBERS_LINE = "{id}. {who}"
MEMBERS_FOOTER = "发送 /revoke 编号 解除该成员的绑定，例如 /revoke {example}。"
MEMBERS_EMPTY = "目前没有已绑定的成员。"
MEMBERS_COLUMNS = ("编号", "角色", "姓名", "部门或层级选区", "绑定时间", "解除绑定")
MEMBERS_REVOKED_AT = "{at}（{by}）"
MEMBERS_NOT_REVOKED = "—"

# The 12345 connector
HOTLINE_REFUSED = "⚠️ 12345平台拒收了诉求 {no} 的一条消息（{kind}）：{reason}\n该消息已搁置，不再重试；请与平台核对后处理。"
HOTLINE_NOTE_IMPLIED = "平台未先报受理，按受理处理"
HOTLINE_NOTE_LATE = "已过该环节，仅作记录"
# Answers to the platform's reports (JSON "message"), by their machine code.
HOTLINE_ANSWERS = {
    "ok": "已处理",
    "implied": "已处理（平台未先报受理，已按受理记录）",
    "late": "已记录：该工单已过此环节，状态未改变",
    "duplicate": "该事件已处理过，本次忽略",
    "unsigned": "缺少签名请求头",
    "unknown_app": "应用编号不正确",
    "stale_timestamp": "时间戳与服务器时间相差超过 5 分钟",
    "bad_signature": "签名校验失败",
    "too_large": "请求体过大",
    "malformed": "请求体格式错误",
    "unknown_code": "没有这个工单编号",
    "not_with_platform": "该工单当前不由 12345 平台办理",
    "not_in_state": "该工单当前状态下不能进行此操作",
    "not_configured": "未配置 12345 平台对接",
}

# Routing changes from the bot (/keyword, /learn)
KEYWORD_USAGE = (
    "用法：/keyword 分类 +关键词 [权重] 增加关键词或修改权重（默认 1，0.1–10），"
    "/keyword 分类 -关键词 删除关键词。例如：/keyword 城乡建设 +物业 2.0"
)
KEYWORD_BAD = "无法修改：{reason}"
KEYWORD_NO_TOPIC = "没有名为「{topic}」的分类。可用：{topics}"
KEYWORD_NOT_FOUND = "分类「{topic}」没有关键词「{word}」。"
KEYWORD_SET = "已将关键词「{word}」（权重 {weight:g}）加入分类「{topic}」。"
KEYWORD_REMOVED = "已从分类「{topic}」删除关键词「{word}」。"
ROUTING_SAVED = "配置已写入并重新加载。最近 {total} 件诉求按新配置有 {moved} 件会改变去向{examples}"
ROUTING_MOVE = "\n• {no}：{old} → {new}"
SOURCE_SYSTEM = "{name}（开放接口 Open311 提交）"
LEARN_USAGE = "用法：/learn 或 /learn 2026-12-01（只用该日以后的纠正记录）"
LEARN_NEEDS_DATA = (
    "未配置样本文件（DEPUTYBOT_LEARN_DATA），无法检验新配置是否会降低准确率，暂不能学习。"
)
LEARN_STARTED = "已开始根据纠正记录学习关键词，约需 1–2 分钟，完成后把建议发给您。"
LEARN_BUSY = "已有一次学习正在进行，完成后会发给您。"
LEARN_PROPOSAL = (
    "📚 关键词学习建议（纠正记录 {count} 条）\n"
    "纠正过的诉求按现配置分对 {right_before} 条，按新配置分对 {right_after} 条。\n"
    "样本上的交叉验证指标（现 → 新）：\n{figures}\n"
    "最近 {total} 件诉求按新配置有 {moved} 件会改变去向。\n"
    "点“应用”写入配置并立即生效，点“放弃”不做修改。"
)
LEARN_FIGURE = "• {view}：宏F1 {f1_before:.1%} → {f1_after:.1%}，前三命中 {top3_before:.1%} → {top3_after:.1%}，覆盖率 {cov_before:.1%} → {cov_after:.1%}"
LEARN_VIEWS = {"full": "完整留言", "short": "一句话"}
LEARN_REFUSED = (
    "📚 本次学习（纠正记录 {count} 条）的结果会降低样本上的指标，已拒绝，配置未改动：\n{lowered}"
)
LEARN_FAILED = "关键词学习失败，配置未改动：{reason}"
LEARN_NOTHING = "没有可用于学习的纠正记录。"
LEARN_DISCARDED = "已放弃本次学习建议，配置未改动。"
LEARN_APPLIED = "已应用学习结果。"
BTN_APPLY = "应用"
BTN_DISCARD = "放弃"

# --- Desk: the Excel workbook (`deputybot export`) ---
URGENCY = {"normal": "普通", "urgent": "紧急"}
XLSX_SHEETS = {"ledger": "台账", "events": "事件", "summary": "汇总", "deputies": "代表履职"}
XLSX_LEDGER_HEADERS = (
    "编号", "收到时间", "代表", "层级", "选区", "分类", "承办部门", "紧急程度", "状态",
    "签收时间", "答复时间", "答复期限", "答复超期天数", "签收超时（小时）", "答复内容", "评价",
    "重办次数",
    "重复诉求（原编号）", "诉求内容",
)  # fmt: skip
XLSX_EVENT_HEADERS = (
    "编号", "时间", "事件", "操作人角色", "原状态", "新状态", "部门", "说明", "评价",
)  # fmt: skip
XLSX_DEPUTY_HEADERS = (
    "代表", "层级", "选区", "提交", "办结", "按时答复", "满意", "基本满意", "不满意",
    "重复诉求", "签收用时中位数（小时）", "答复用时中位数（小时）", "分类", "承办部门", "诉求编号",
)  # fmt: skip
XLSX_SUMMARY_TITLE = "试点小结 {period}（全部部门，与 deputybot summary 同口径）"
XLSX_SUMMARY_FIGURES = (
    ("received", "收到诉求（件）"),
    ("closed", "已办结（件）"),
    ("response", "响应率"),
    ("resolution", "解决率"),
    ("satisfaction", "满意率"),
    ("median_ack", "签收用时中位数（小时）"),
    ("median_answer", "答复用时中位数（小时）"),
)
XLSX_SUMMARY_TABLES = {
    "topic": ("分类", "件数"),
    "department": ("承办部门", "件数"),
    "district": ("选区", "件数"),
    "level": ("代表层级", "件数"),
    "rating": ("评价", "件数"),
    "overdue": ("超时未办结编号", "超时小时"),
}
EXPORT_DONE = "已导出 {items} 件诉求、{events} 条事件、{deputies} 位代表：{file}"
EXPORT_BAD_DEPARTMENT = "没有代码为 {code} 的承办部门。可用的代码：{codes}"
EXPORT_CANNOT_WRITE = "无法写入 {file}：{reason}"
XLSX_MORE_ITEMS = " 等，另有 {count} 件"

# --- Desk: /record, a deputy's record (履职档案) ---
RECORD_HEADER = "📒 履职档案：{name}（{level}级 {district}）"
RECORD_TITLE = "履职档案：{name}"
RECORD_LABELS = {"month": "本月", "year": "本年"}
RECORD_PERIOD = (
    "{label}（{start} 起）：提交诉求 {submitted} 件，已办结 {closed} 件，按时答复 {in_time} 件。\n"
    "评价：满意 {satisfied}、基本满意 {basic}、不满意 {unsatisfied}；重复反映 {recurrences} 件。\n"
    "用时中位数：签收 {ack}，答复 {answer}\n"
    "按分类：{topics}"
)
RECORD_NONE = "{label}（{start} 起）：没有提交诉求。"
RECORD_USAGE = "用法：/record 代表姓名，或 /record 代表的 Telegram 数字 ID"
RECORD_NOT_FOUND = "未找到代表“{who}”。请核对姓名（须与邀请时一致）或 Telegram 数字 ID。"
WEEKLY_WORKBOOK_FILE = "试点台账_{start}至{end}.xlsx"
WEEKLY_WORKBOOK_CAPTION = "📎 上周台账（台账、事件、汇总、代表履职），可用 Excel 或 WPS 打开。"

# --- Desk: web pages ---
WEB_LINK = (
    "服务台登录链接（10 分钟内有效，只能使用一次，请勿转发）：\n{url}\n"
    "登录后 12 小时内有效；在网页上可随时退出登录。"
)
WEB_NO_URL = "服务台网页尚未配置公开地址（DEPUTYBOT_PUBLIC_URL），请联系管理员。"
DESK_DOWNLOAD_FILE = "台账.xlsx"
