// Shared stairwell electricity (公用电费): a unit's reading for a month waits for
// a committee member other than the recorder before it makes any bill; a wrong
// confirmed reading is voided (by two committee members), never edited.
const { request } = require('./request')
const { toQuery } = require('../utils/query')

// body {unit_id, period: "YYYY-MM" (at most next month), amount_fen}. Resolves
// with the reading {id, unit_id, unit_label, period, amount_fen, status:
// "pending", flag: null | {multiple, average_fen, ratio, recent}, entered_by,
// created_at, open_change: {id, kind: "meter_reading", ...}}. 400
// period_too_late / amount_out_of_range, 403 not_a_handler, 409 reading_exists.
function recordMeterReading({ unit_id, period, amount_fen }) {
  return request({ url: '/api/v1/meter-readings', method: 'POST', data: { unit_id, period, amount_fen } })
}

// A unit's latest readings, newest month first, whatever their status (the
// unit's liaison, the committee, the supervisor): {items: [reading]}.
function meterReadings(unitId) {
  return request({ url: `/api/v1/meter-readings${toQuery({ unit_id: unitId })}` })
}

// Ask to void a confirmed reading (committee), saying why: resolves (202) with
// the proposal a second committee member confirms. 409 reading_not_confirmed,
// change_pending (a void already waits).
function voidMeterReading(id, reason) {
  return request({ url: `/api/v1/meter-readings/${id}/void`, method: 'POST', data: { reason } })
}

module.exports = { recordMeterReading, meterReadings, voidMeterReading }
