// What the door-to-door sweep pages show (排查: pages/campaign and
// pages/campaign-result) of the server's campaign shapes, in plain words.
const { label } = require('./labels')
const { dayText } = require('./census')

// The issue a household needing action opens, unless the volunteer picks another.
const ACTION_CATEGORY = { safety: 'hazard', dispute: 'dispute', vulnerable: 'care' }

function progressView(progress) {
  const total = (progress && progress.total) || 0
  const visited = Math.min((progress && progress.visited) || 0, total)
  const percent = total ? Math.round((visited * 100) / total) : 0
  return { visited, total, percent, barStyle: `width: ${percent}%`, line: `已走访 ${visited} / ${total} 户` }
}

function unitView(unit) {
  const progress = progressView(unit)
  const flags = [unit.overdue ? '已过期限' : '', unit.escalated ? '已告知楼栋长' : ''].filter(Boolean)
  return {
    id: unit.unit_id,
    label: `${unit.unit} 单元`,
    line: progress.line,
    done: progress.total > 0 && progress.visited >= progress.total,
    overdue: Boolean(unit.overdue),
    flags: flags.join(' · '),
    ariaLabel: [`${unit.unit} 单元`, progress.line].concat(flags).join('，'),
  }
}

// GET /campaigns/{id}.
function campaignView(campaign) {
  const may = campaign.may || {}
  return {
    id: campaign.id,
    type: campaign.type,
    title: campaign.title,
    typeLabel: label('campaign_type', campaign.type, ''),
    checklist: campaign.checklist || [],
    due: dayText(campaign.due_on),
    open: campaign.status === 'open',
    statusLabel: label('campaign_status', campaign.status, campaign.status || ''),
    progress: progressView(campaign.progress),
    units: (campaign.units || []).map(unitView),
    mayRecord: Boolean(may.record),
    mayClose: Boolean(may.close) && campaign.status === 'open',
    mayExport: Boolean(may.export),
  }
}

const failedItems = (result) => ((result && result.items) || []).filter((i) => i.ok === false)

// A household of GET /campaigns/{id}/households: 未走访, 没有问题, or how many problems.
function doorView(item) {
  const result = item.result
  const failed = failedItems(result).length
  let state = '未走访'
  if (result) state = failed ? `有 ${failed} 项问题` : '没有问题'
  const issueId = (result && result.issue_id) || 0
  return {
    id: item.household_id,
    label: item.label,
    visited: Boolean(result),
    problem: failed > 0,
    state,
    issue: issueId ? `已转报事 #${issueId}` : '',
    ariaLabel: [item.label, state, issueId ? `已转报事 ${issueId} 号` : ''].filter(Boolean).join('，'),
  }
}

// The checklist to tick, with what was recorded before: [{index, item, ok: true|false|null, note}].
function checksFor(checklist, result) {
  const before = {}
  for (const entry of (result && result.items) || []) before[entry.item] = entry
  return (checklist || []).map((item, index) => {
    const was = before[item]
    return { index, item, ok: was ? Boolean(was.ok) : null, note: (was && was.note) || '' }
  })
}

module.exports = { ACTION_CATEGORY, progressView, unitView, campaignView, doorView, checksFor, failedItems }
