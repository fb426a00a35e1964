// The monthly disclosure (月度公示): a month of a compound's money frozen from
// the ledger, signed off by the finance supervisor, published by the committee,
// checked against the ledger by anyone.
const { request, download } = require('./request')

const compoundUrl = (code) => `/api/v1/compounds/${encodeURIComponent(code)}/disclosures`
const disclosureUrl = (id) => `/api/v1/disclosures/${id}`

// {items: [{id, month, version, title, status, status_name, created_at,
// published_at}]}: published ones for residents, every version for the
// committee and the supervisor; 404 compound_not_found.
function listDisclosures(code) {
  return request({ url: compoundUrl(code) })
}

// {id, month, version, title, status, status_name, funds: [{account, name,
// opening_fen, income: [lines], expenses: [lines], income_fen, expense_fen,
// closing_fen}], collection, issues, actions: [sign_off|object|publish|correct],
// changes, objection, ...}; 404 disclosure_not_found.
function getDisclosure(id) {
  return request({ url: disclosureUrl(id) })
}

// Freeze a month ("YYYY-MM") as a draft (committee): 201 with the disclosure;
// 400 bad_month, 409 disclosure_exists. A corrected version names the one it
// corrects and what changed: {corrects, changes} (409 not_latest, 400
// changes_required).
function createDisclosure(code, { month, corrects, changes } = {}) {
  const data = { month }
  if (corrects) Object.assign(data, { corrects, changes })
  return request({ url: compoundUrl(code), method: 'POST', data })
}

// The finance supervisor: 审核通过 (draft → signed) or 有异议 with a reason.
function signOff(id) {
  return request({ url: `${disclosureUrl(id)}/sign-off`, method: 'POST' })
}

function objectTo(id, reason) {
  return request({ url: `${disclosureUrl(id)}/object`, method: 'POST', data: { reason } })
}

// The committee publishes a signed one to every household (409 bad_status).
function publishDisclosure(id) {
  return request({ url: `${disclosureUrl(id)}/publish`, method: 'POST' })
}

// {verified, summary: "一致" | "有 N 处不一致", differences: [{kind, message, ...}]}.
function verifyDisclosure(id) {
  return request({ url: `${disclosureUrl(id)}/verify` })
}

// The printable A4 PDF, downloaded: resolves with its temporary file path.
function disclosurePdf(id) {
  return download({ url: `${disclosureUrl(id)}.pdf` })
}

module.exports = {
  listDisclosures,
  getDisclosure,
  createDisclosure,
  signOff,
  objectTo,
  publishDisclosure,
  verifyDisclosure,
  disclosurePdf,
}
