// Public income (公共收益): the assets register, contracts with their payment
// schedules, and income recorded by one committee member and confirmed by a second.
const { request } = require('./request')
const { toQuery } = require('../utils/query')

const compoundUrl = (code, what) => `/api/v1/compounds/${encodeURIComponent(code)}/${what}`

// {items: [{id, kind, name, location, note, active, photos: [upload ids]}]}
// (anyone of the compound; retired ones only for the committee and supervisor).
function listAssets(code) {
  return request({ url: compoundUrl(code, 'assets') })
}

// body: {kind, name, location?, note?, photos?: [upload ids]} (committee).
function createAsset(code, body) {
  return request({ url: compoundUrl(code, 'assets'), method: 'POST', data: body })
}

// changes: {name?, location?, note?, active?}; 400 no_change when nothing differs.
function updateAsset(id, changes) {
  return request({ url: `/api/v1/assets/${id}`, method: 'PATCH', data: changes })
}

// {items: [{id, asset_name, counterparty, kind, price_fen, cycle, start_on,
// end_on, ended, next_due: {due_on, amount_fen} | null, overdue: [...],
// overdue_fen, paid_count, paid_fen, waiting_count, instalment_count}]}
// (committee, supervisor; 403 committee_only for others).
function listContracts(code) {
  return request({ url: compoundUrl(code, 'contracts') })
}

// One contract with `instalments`: [{id, due_on, amount_fen, state: paid|waiting|overdue|due}].
function getContract(id) {
  return request({ url: `/api/v1/contracts/${id}` })
}

// body: {asset_id?, counterparty, kind, price_fen, cycle, start_on, end_on,
// note?, scan?: [upload ids]} (committee); 400 end_not_after_start, contract_too_long.
function createContract(code, body) {
  return request({ url: compoundUrl(code, 'contracts'), method: 'POST', data: body })
}

// Ends it early: unpaid instalments not yet due are dropped (committee).
function endContract(id, reason) {
  return request({ url: `/api/v1/contracts/${id}/end`, method: 'POST', data: { reason } })
}

// {items: [{id, kind, amount_fen, received_on, method, payer, instalment, status,
// recorded_by, mine, decided_by, reason, receipt: [upload ids], created_at}]}
function listIncome(code, { status } = {}) {
  return request({ url: `${compoundUrl(code, 'income')}${toQuery({ status })}` })
}

// body: {kind, amount_fen, received_on, method, contract_id?, instalment_id?,
// payer?, note?, receipt?: upload id} → the record, status "pending".
function recordIncome(code, body) {
  return request({ url: compoundUrl(code, 'income'), method: 'POST', data: body })
}

// A committee member other than the recorder: 403 same_person, 409 income_decided.
function confirmIncome(id) {
  return request({ url: `/api/v1/income/${id}/confirm`, method: 'POST' })
}

function rejectIncome(id, reason) {
  return request({ url: `/api/v1/income/${id}/reject`, method: 'POST', data: { reason } })
}

module.exports = {
  listAssets,
  createAsset,
  updateAsset,
  listContracts,
  getContract,
  createContract,
  endContract,
  listIncome,
  recordIncome,
  confirmIncome,
  rejectIncome,
}
