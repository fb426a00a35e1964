// How the street office reads and chooses a compound's WeChat Pay merchant
// (pages/compound-admin). Pure.

const isAdmin = (user) => ((user && user.roles) || []).some((role) => role.role === 'admin')

// WeChat Pay's API versions in words: v3 is what new merchants get today.
const VERSIONS = { v3: '新版接口', v2: '旧版接口' }

function merchantLine(merchant) {
  const version = VERSIONS[merchant.version] || '接口未知'
  return `${merchant.name}（商户号 ${merchant.mch_id}，${version}）`
}

// The picker's choices: "follow the default" first, then every merchant.
// [{name: null|string, label}]
function merchantChoices(merchants) {
  const fallback = merchants.find((m) => m.default)
  const first = {
    name: null,
    label: fallback ? `跟随默认商户：${merchantLine(fallback)}` : '跟随默认商户（尚未配置）',
  }
  return [first].concat(merchants.map((m) => ({ name: m.name, label: merchantLine(m) })))
}

// A compound as the page shows it: {code, name, archived, merchant, choiceIndex}.
function compoundRow(item, merchants) {
  const configured = merchants.find((m) => m.name === item.pay_merchant)
  let merchant
  if (!item.pay_merchant) merchant = '未开通在线缴费（没有收款商户）'
  else if (!configured) merchant = `${item.pay_merchant}（服务器上已没有这个商户，不能在线缴费）`
  else merchant = merchantLine(configured)
  if (item.pay_merchant && item.pay_merchant_is_default) merchant = `默认商户 ${merchant}`
  const choiceIndex = item.pay_merchant_is_default
    ? 0
    : 1 + merchants.findIndex((m) => m.name === item.pay_merchant)
  return { code: item.code, name: item.name, archived: Boolean(item.archived), merchant, choiceIndex }
}

// What is asked before a change (it touches only new orders).
function changeQuestion(compoundName, choice) {
  return `${compoundName}此后的新缴费订单将付到「${choice.label}」。已经下的订单仍付到原来的商户。`
}

// What is said after it: what happens from now on.
function changeDone(compoundName, row) {
  return `${compoundName}此后的新缴费订单付到：${row.merchant}。已经下的订单仍付到原来的商户。`
}

module.exports = { isAdmin, merchantChoices, compoundRow, changeQuestion, changeDone }
