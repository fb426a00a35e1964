// Pushes to handlers (liaisons, building leads, the committee): what the
// server can still send them, and the tap that asks WeChat for more.
const { askSubscriptions } = require('./subscribe')
const { recordSubscriptions } = require('../api/me')

// The messages handlers are pushed, in the order they are shown.
const HANDLER_MESSAGES = [
  { name: 'new_issue', label: '新报事提醒' },
  { name: 'reminder', label: '催办提醒' },
]

// At or below this many sends left, a handler is offered the tap again after
// handling an issue.
const LOW_QUOTA = 2

// WeChat takes at most 3 template ids per wx.requestSubscribeMessage.
const MAX_TEMPLATES = 3

const ALL_BY_ACCOUNT = '您已关注公众号：新报事和催办会直接推送到微信，不用点按。'
const FOLLOW_HINT = '关注小区的微信公众号后，不用每次点按也能收到。'

// GET (or POST) /me/subscriptions → what a handler sees:
// {line: "还能收到 3 条新报事提醒 / 0 条催办提醒", tmplIds: the templates a tap
// asks for, low: one of them has LOW_QUOTA or fewer left, byAccount: every
// handler message comes through the official account, followHint}.
function pushView(status) {
  const byName = {}
  for (const message of (status && status.messages) || []) byName[message.name] = message
  const counted = []
  const others = []
  const tmplIds = []
  let low = false
  let viaAccount = 0
  for (const { name, label } of HANDLER_MESSAGES) {
    const message = byName[name]
    if (message && message.channel === 'official_account') {
      others.push(`${label}由公众号推送`)
      viaAccount += 1
    } else if (message && message.template_id) {
      counted.push(`${message.remaining} 条${label}`)
      tmplIds.push(message.template_id)
      if (message.remaining <= LOW_QUOTA) low = true
    } else {
      others.push(`${label}只能在「消息」里看`)
    }
  }
  const byAccount = viaAccount === HANDLER_MESSAGES.length
  const parts = (counted.length ? [`还能收到 ${counted.join(' / ')}`] : []).concat(others)
  const linked = Boolean(status && status.official_account_linked)
  return {
    line: byAccount ? ALL_BY_ACCOUNT : parts.join('；'),
    tmplIds: tmplIds.slice(0, MAX_TEMPLATES),
    low,
    byAccount,
    followHint: status && status.official_account_enabled && !linked ? FOLLOW_HINT : '',
  }
}

// Call straight from a tap handler, before any await (WeChat shows its dialog
// only then): asks for `tmplIds`, then posts what was accepted. Never rejects;
// resolves with {accepted, status (the new push status, or null), error (the
// post failed: WeChat granted sends the server did not hear of)}.
function requestPushes(tmplIds) {
  return askSubscriptions(tmplIds.slice(0, MAX_TEMPLATES)).then((accepted) => {
    if (!accepted.length) return { accepted, status: null, error: null }
    return recordSubscriptions(accepted).then(
      (status) => ({ accepted, status, error: null }),
      (error) => ({ accepted, status: null, error })
    )
  })
}

module.exports = { HANDLER_MESSAGES, LOW_QUOTA, pushView, requestPushes }
