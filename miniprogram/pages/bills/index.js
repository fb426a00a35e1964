// 我的账单: a household's bills, unpaid first and ticked; pay the ticked ones
// with WeChat Pay. Whether it was paid is the server's word, never the client's.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { listBills } = require('../../api/bills')
const { createPayment } = require('../../api/payments')
const { billView, checkedIds, selectBills, selectAllPayable } = require('../../utils/bills')
const { PAY_MESSAGES, requestPayment, waitForPayment, paymentOutcome } = require('../../utils/pay')
const { errorMessage } = require('../../utils/errors')

const householdOption = (h) => ({ id: h.id, label: `${h.compound_name} ${h.label}` })

Page({
  data: {
    loaded: false,
    error: '',
    households: [],
    householdIndex: 0,
    bills: [],
    selectedIds: [],
    totalFen: 0,
    total: '0.00',
    hasPending: false,
    paying: false,
    // '' | confirming | paid | pending | closed | disputed | cancelled | failed | error
    payState: '',
    payMessage: '',
  },

  onLoad() {
    return this.load()
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh())
  },

  async load() {
    try {
      await ensureLogin()
      const user = await getMe()
      const households = (user.households || []).map(householdOption)
      const householdIndex = this.data.householdIndex < households.length ? this.data.householdIndex : 0
      this.setData({ households, householdIndex })
      if (households.length) await this.loadBills()
      this.setData({ loaded: true, error: '' })
    } catch (err) {
      this.setData({ loaded: true, error: errorMessage(err) })
    }
  },

  // The chosen household's bills, every payable one ticked. Throws on failure.
  async loadBills() {
    const household = this.data.households[this.data.householdIndex]
    const { items } = await listBills(household.id)
    const bills = items.map(billView)
    this.setData(
      Object.assign(selectAllPayable(bills), { hasPending: bills.some((b) => b.status === 'pending') })
    )
  },

  // After paying (or failing to): the bills changed status; a failure to
  // reload leaves the list as it was, the pay message says what happened.
  async refreshBills() {
    try {
      await this.loadBills()
    } catch (err) {
      // keep what is shown
    }
  },

  retry() {
    this.setData({ error: '', loaded: false })
    return this.load()
  },

  async onHouseholdChange(e) {
    this.setData({ householdIndex: Number(e.detail.value), payState: '', payMessage: '' })
    try {
      await this.loadBills()
      this.setData({ error: '' })
    } catch (err) {
      this.setData({ error: errorMessage(err) })
    }
  },

  // <checkbox-group bindchange>: the ticked bill ids, as strings.
  onSelect(e) {
    this.setData(selectBills(this.data.bills, checkedIds(e.detail.value)))
  },

  // The line above the bills saying how paying went; `message` overrides the usual text.
  showPay(payState, message) {
    this.setData({ payState, payMessage: message === undefined ? PAY_MESSAGES[payState] || '' : message })
  },

  // 去缴费: open an order, let WeChat take the money, then ask the server.
  async pay() {
    const billIds = this.data.selectedIds
    if (this.data.paying || !billIds.length) return
    this.setData({ paying: true })
    this.showPay('', '')
    try {
      await this.payBills(billIds)
    } finally {
      this.setData({ paying: false })
    }
    await this.refreshBills()
  },

  async payBills(billIds) {
    let order
    try {
      order = await createPayment(billIds)
    } catch (err) {
      // 409 bill_not_payable, 503 pay_unavailable / pay_not_configured: the server says why.
      this.showPay('error', errorMessage(err))
      return
    }
    const outcome = await requestPayment(order.pay_params)
    if (outcome !== 'done') {
      this.showPay(outcome) // cancelled | failed: the order stays open until it expires
      return
    }
    this.showPay('confirming')
    // paid | closed | disputed (another amount taken: the bills are unpaid
    // again, the committee refunds) | pending (not known yet).
    const state = paymentOutcome(await waitForPayment(order.payment_id))
    this.showPay(state)
    if (state === 'paid') wx.showToast({ title: '缴费成功', icon: 'success' })
  },

  goPayments() {
    wx.navigateTo({ url: '/pages/payments/index' })
  },

  goBind() {
    wx.navigateTo({ url: '/pages/bind/index' })
  },
})
