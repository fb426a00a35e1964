// A compound's funds and its expenses (支出): proposed by the committee,
// approved or objected to by the finance supervisor, paid by another member.
const { request } = require('./request')
const { toQuery } = require('../utils/query')

const compoundUrl = (code) => `/api/v1/compounds/${encodeURIComponent(code)}`

// {funds: [{account, name, balance_fen, income_fen_month, spent_fen_month}]}
// (any member of the compound; 404 compound_not_found for others).
function compoundFunds(code) {
  return request({ url: `${compoundUrl(code)}/funds` })
}

// {items: [expense...], next_cursor, waiting_for_me}, newest first.
function listExpenses(code, { status, waitingForMe = false, cursor } = {}) {
  const query = toQuery({ status, waiting_for_me: waitingForMe ? 'true' : '', cursor })
  return request({ url: `${compoundUrl(code)}/expenses${query}` })
}

// One expense with its receipts, history and `actions` I may take.
function getExpense(id) {
  return request({ url: `/api/v1/expenses/${id}` })
}

// body: {fund, amount_fen, purpose, payee, category, receipts: [upload ids], issue_id?}
// → the expense, status "proposed" (committee; 400 fund_unknown, photo_invalid...).
function proposeExpense(code, body) {
  return request({ url: `${compoundUrl(code)}/expenses`, method: 'POST', data: body })
}

// action: approve | object {reason} | change {fields} | withdraw | confirm |
// pay {paid_on, method, proof?} | reverse {reason}. Resolves with the expense
// as it is now; 403 same_person, 409 expense_state / insufficient_funds ...
function expenseAction(id, action, body = {}) {
  return request({ url: `/api/v1/expenses/${id}/${action}`, method: 'POST', data: body })
}

module.exports = { compoundFunds, listExpenses, getExpense, proposeExpense, expenseAction }
