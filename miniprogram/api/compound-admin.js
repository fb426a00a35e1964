// The street office (platform admin) and its compounds: which WeChat Pay
// merchant each one's fees go to.
const { request } = require('./request')

// Admin only (403 not_admin otherwise): {items: [{code, name, archived,
// pay_merchant, pay_version, pay_merchant_is_default, ...}], pay_merchants:
// [{name, version: 'v2'|'v3', mch_id, default}]} (never a key).
function listCompounds() {
  return request({ url: '/api/v1/compounds' })
}

// Admin only: the merchant new orders of compound `code` go to (null: the
// default merchant); 400 unknown_merchant, 409 compound_archived. The answer is
// the compound as listed.
function setPayMerchant(code, name) {
  return request({
    url: `/api/v1/compounds/${encodeURIComponent(code)}`,
    method: 'PATCH',
    data: { pay_merchant: name || null },
  })
}

module.exports = { listCompounds, setPayMerchant }
