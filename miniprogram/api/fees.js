// Collecting fees: who has not paid, a household's unpaid bills, the figures.
const { request } = require('./request')
const { toQuery } = require('../utils/query')

// Households with unpaid bills in a month ("YYYY-MM"): a liaison's own units,
// every one for the committee. {items: [{household_id, label, owed_fen, bills}]}.
function unpaidHouseholds({ compound, period }) {
  return request({ url: `/api/v1/fees/unpaid${toQuery({ compound, period })}` })
}

// One household's unpaid bills, for the collector about to take cash (the
// unit's liaison or the committee; 403 otherwise): {items: [bills]}.
function householdUnpaidBills(householdId) {
  return request({ url: `/api/v1/fees/unpaid-bills${toQuery({ household_id: householdId })}` })
}

// A month's collection figures, per building and unit (committee, supervisor):
// {period, households_billed, households_paid, collection_rate, billed_fen,
// collected_fen, by_building: [...], by_unit: [...]}.
function collectionSummary({ compound, period }) {
  return request({ url: `/api/v1/fees/summary${toQuery({ compound, period })}` })
}

module.exports = { unpaidHouseholds, householdUnpaidBills, collectionSummary }
