// 谁能收到提醒 (committee): GET /compounds/{code}/reachability in plain words,
// units whose liaisons no push reaches first (the server's order).

const UNIT_STATUS_TEXT = {
  no_liaison: '没有单元联络人，新报事只推送给业委会',
  inbox_only: '联络人收不到微信推送，只能打开小程序看「消息」',
  low: '联络人的推送次数快用完了',
  ok: '联络人能收到新报事推送',
}

const GAPS = ['no_liaison', 'inbox_only']

// "1-2" → "1号楼2单元"
function unitText(label) {
  const match = /^(\d+)-(\d+)$/.exec(label || '')
  return match ? `${match[1]}号楼${match[2]}单元` : label
}

// How a push reaches one volunteer, for the message their role is reached for
// first (building leads: reminders of overdue issues; others: new issues).
function channelText(volunteer) {
  const left = volunteer.role === 'building_lead' ? volunteer.reminder_left : volunteer.new_issue_left
  const text = {
    official_account: '已关注公众号，自动推送',
    subscribe: `还能推送 ${left} 次`,
    inbox: '收不到推送，只能在小程序「消息」里看',
    disabled: '账号已停用',
  }[volunteer.channel]
  const never = volunteer.never_signed_in && volunteer.channel !== 'disabled'
  return (text || '收不到推送') + (never ? '（还没有登录过小程序）' : '')
}

function personView(volunteer) {
  const place = volunteer.place ? `（${volunteer.place}）` : ''
  return {
    key: `${volunteer.role}-${volunteer.user_id}`,
    name: volunteer.name + place,
    text: channelText(volunteer),
    // Nothing reaches them but the inbox: the committee should ask them to tap.
    warn: volunteer.channel === 'inbox' || volunteer.channel === 'disabled',
  }
}

function unitView(unit) {
  return {
    key: unit.unit_id,
    label: unitText(unit.label),
    status: unit.status,
    statusText: UNIT_STATUS_TEXT[unit.status] || unit.status,
    gap: GAPS.includes(unit.status),
    people: unit.liaisons.map(personView),
  }
}

function headline(counts) {
  const gaps = (counts.no_liaison || 0) + (counts.inbox_only || 0)
  if (!gaps) return '每个单元都有联络人能收到新报事的微信推送'
  return `有 ${gaps} 个单元收不到新报事的微信推送`
}

// "其中 1 个单元没有联络人，1 个单元的联络人只能看消息"
function gapDetail(counts) {
  const parts = []
  if (counts.no_liaison) parts.push(`${counts.no_liaison} 个单元没有联络人`)
  if (counts.inbox_only) parts.push(`${counts.inbox_only} 个单元的联络人只能在小程序里看消息`)
  return parts.length ? `其中 ${parts.join('，')}。` : ''
}

function reachView(body) {
  const counts = body.counts || {}
  const follow = body.official_account_enabled ? '关注小区公众号后，就不用再点了。' : ''
  return {
    compoundName: body.compound_name,
    headline: headline(counts),
    hasGaps: Boolean((counts.no_liaison || 0) + (counts.inbox_only || 0)),
    detail: gapDetail(counts),
    low: counts.low ? `另有 ${counts.low} 个单元的推送次数快用完了。` : '',
    advice: `请联络人打开「工作台」，点「新报事提醒我」：每点一次，可多收到一条新报事提醒。${follow}`,
    units: (body.units || []).map(unitView),
    leads: (body.building_leads || []).map(personView),
    committee: (body.committee || []).map(personView),
  }
}

module.exports = { reachView, channelText }
