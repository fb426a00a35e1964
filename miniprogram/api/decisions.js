// Owners' decisions (业主表决, issue 12): proposals on public notice with
// comments, the vote (app ballots and paper ballots recorded by volunteers),
// and the result any owner can re-count.
const { request, download } = require('./request')
const { toQuery } = require('../utils/query')

const compoundUrl = (code) => `/api/v1/compounds/${encodeURIComponent(code)}`
const proposalUrl = (id) => `/api/v1/proposals/${id}`

// {items: [summary]} newest first; drafts only for the committee and the
// supervisor. A summary: {id, title, matter, matter_label, status,
// status_label, version, published_at, notice_ends_at, closes_at, closed_at,
// passed, comment_count, my_vote_needed}.
function listProposals(code, { status } = {}) {
  return request({ url: `${compoundUrl(code)}/proposals${toQuery({ status })}` })
}

// The detail: the summary with body, rule, options, effect, effect_text,
// attachments, versions, actions, turnout, my_households, changeable_until, result.
function getProposal(id) {
  return request({ url: proposalUrl(id) })
}

// The committee drafts: {title, body, matter, options?, effect?, attachments?}
// → the proposal (status "draft").
function createProposal(code, body) {
  return request({ url: `${compoundUrl(code)}/proposals`, method: 'POST', data: body })
}

// The committee changes a draft, or revises during notice (note required).
function updateProposal(id, body) {
  return request({ url: proposalUrl(id), method: 'PATCH', data: body })
}

// step: publish {notice_days} | withdraw {reason} | open {closes_at} | close.
// Resolves with the proposal as it is now (close: {id, status, passed, result}).
function proposalStep(id, step, body = {}) {
  return request({ url: `${proposalUrl(id)}/${step}`, method: 'POST', data: body })
}

// {items: [{id, version, body, author_label, mine, created_at}], next_cursor}, oldest first.
function listComments(id, { version, cursor } = {}) {
  return request({ url: `${proposalUrl(id)}/comments${toQuery({ version, cursor })}` })
}

function addComment(id, body) {
  return request({ url: `${proposalUrl(id)}/comments`, method: 'POST', data: { body } })
}

// An owner votes for one of their flats: → {receipt, household_id, choice,
// replaced, changeable_until}. Again before the close replaces it.
function castBallot(id, { householdId, choice }) {
  return request({
    url: `${proposalUrl(id)}/ballots`,
    method: 'POST',
    data: { household_id: householdId, choice },
  })
}

// Volunteers: the flats on the roll they may record for, never the choice:
// {items: [{household_id, label, area_m2, voted, pending_paper}]}.
function getRoll(id, { unitId } = {}) {
  return request({ url: `${proposalUrl(id)}/roll${toQuery({ unit_id: unitId })}` })
}

// A liaison records a signed paper ballot (or a written proxy) with its photo
// → {id, status: "pending", household_label, choice, channel}.
function recordPaperBallot(id, { householdId, choice, photo, proxy }) {
  return request({
    url: `${proposalUrl(id)}/paper-ballots`,
    method: 'POST',
    data: { household_id: householdId, choice, photo, proxy: Boolean(proxy) },
  })
}

// {items: [{id, household_label, choice, choice_label, channel, status,
// recorded_by, recorded_at, photo, mine}]}.
function listPaperBallots(id, { status = 'pending' } = {}) {
  return request({ url: `${proposalUrl(id)}/paper-ballots${toQuery({ status })}` })
}

// Another volunteer: confirm → {id, status: "counted", receipt}; reject {reason}.
function confirmPaperBallot(ballotId) {
  return request({ url: `/api/v1/paper-ballots/${ballotId}/confirm`, method: 'POST', data: {} })
}

function rejectPaperBallot(ballotId, reason) {
  return request({ url: `/api/v1/paper-ballots/${ballotId}/reject`, method: 'POST', data: { reason } })
}

// Closed only (409 result_not_ready before): the figures, every counted
// ballot as {receipt, area_m2, choice} and my_receipts.
function getResult(id) {
  return request({ url: `${proposalUrl(id)}/result` })
}

// The committee's and the supervisor's check list (every counted ballot with its
// flat, area, choice, channel and who recorded and checked it) as .xlsx: resolves
// with the downloaded file's path (the bearer header is needed, so
// wx.openDocument cannot take the URL itself). Every export is access-logged.
function auditList(id) {
  return download({ url: `${proposalUrl(id)}/audit?format=xlsx`, failMessage: '核对清单没有下载下来，请稍后再试' })
}

// The fees of a compound (for a fee-rate proposal): {items: [{code, name, kind, rate, active}]}.
function listFeeItems(code) {
  return request({ url: `${compoundUrl(code)}/fee-items` })
}

module.exports = {
  listProposals,
  getProposal,
  createProposal,
  updateProposal,
  proposalStep,
  listComments,
  addComment,
  castBallot,
  getRoll,
  recordPaperBallot,
  listPaperBallots,
  confirmPaperBallot,
  rejectPaperBallot,
  getResult,
  auditList,
  listFeeItems,
}
