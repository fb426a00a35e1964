// My households' bills (residents).
const { request } = require('./request')
const { toQuery } = require('../utils/query')

// One household's bills (all of mine without an id), unpaid first:
// {items: [{id, household_id, item, item_name, period, amount_fen, status, basis, paid_at}], unpaid_fen}.
function listBills(householdId) {
  return request({ url: `/api/v1/bills${toQuery({ household_id: householdId })}` })
}

module.exports = { listBills }
