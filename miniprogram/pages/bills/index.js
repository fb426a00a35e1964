// 我的账单: a household's bills, unpaid first and ticked; pay the ticked ones
// with WeChat Pay. Whether it was paid is the server's word, never the client's.
// Closing the WeChat Pay sheet cancels the order, so other bills can be chosen;
// an order left open (支付中 bills) can be cancelled from here too.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { listBills } = require('../../api/bills')
const { createPayment, cancelPayment } = require('../../api/payments')
const { billView, checkedIds, selectBills, selectAllPayable, openOrders } = require('../../utils/bills')
const {
  PAY_MESSAGES,
  requestPayment,
  waitForPayment,
  paymentOutcome,
  cancelAfterSheet,
  cancelledMessage,
} = require('../../services/pay')
const { errorMessage } = require('../../utils/errors')
const { confirm } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const householdOption = (h) => ({ id: h.id, label: `${h.compound_name} ${h.label}` })

const payableIds = (bills) => bills.filter((b) => b.payable).map((b) => b.id).join(',')

// The household's bills as the page shows them, every payable one ticked;
// `shown` (the page's data) keeps the resident's ticks when the same
// household's payable bills are the same as before.
async function billsOf(household, shown) {
  const { items } = await listBills(household.id)
  const bills = items.map(billView)
  const same = shown && shown.billsHouseholdId === household.id && payableIds(shown.bills) === payableIds(bills)
  return Object.assign(same ? selectBills(bills, shown.selectedIds) : selectAllPayable(bills), {
    billsHouseholdId: household.id,
    hasPending: bills.some((b) => b.status === 'pending'),
    orders: openOrders(bills),
  })
}

Page(loadable({
  data: {
    households: [],
    householdIndex: 0,
    // The household the bills shown belong to (its id).
    billsHouseholdId: 0,
    bills: [],
    selectedIds: [],
    totalFen: 0,
    total: '0.00',
    hasPending: false,
    // The open WeChat Pay orders holding 支付中 bills: [{id, amount, count}].
    orders: [],
    paying: false,
    // '' | confirming | paid | pending | closed | disputed | cancelled | failed | error
    payState: '',
    payMessage: '',
  },

  onLoad() {
    return this.load()
  },

  // A tab page (WeChat runs its onLoad once): shown again after another page
  // (a payment confirmed by the committee, a flat bound) it reads the bills
  // again, unless it is still loading or paying (WeChat Pay's sheet hides and
  // shows the page); a failed start is tried again.
  onShow() {
    if (!this.data.loaded || this.data.paying) return Promise.resolve()
    return this.data.error ? this.retry() : this.refresh()
  },

  // The household chosen (kept by id when the list changes) with its own
  // bills: the name shown and the bills paid always go together.
  async fetch() {
    await ensureLogin()
    const user = await getMe()
    const households = (user.households || []).map(householdOption)
    const chosen = this.data.households[this.data.householdIndex]
    const householdIndex = Math.max(0, chosen ? households.findIndex((h) => h.id === chosen.id) : 0)
    const bills = households.length ? await billsOf(households[householdIndex], this.data) : {}
    return Object.assign({ households, householdIndex }, bills)
  },

  // After paying (or failing to): the bills changed status; a failure to
  // reload leaves the list as it was, the pay message says what happened.
  // An answer for a household no longer shown, or overtaken by a load, is dropped.
  async refreshBills() {
    const household = this.data.households[this.data.householdIndex]
    if (!household) return
    const seq = this._loadSeq
    try {
      const bills = await billsOf(household, this.data)
      const chosen = this.data.households[this.data.householdIndex]
      if (seq === this._loadSeq && chosen && chosen.id === household.id) this.setData(bills)
    } catch (err) {
      // keep what is shown
    }
  },

  // Another household: 加载中 until its own bills come (nothing of the one
  // before can be paid meanwhile), through the page's load sequence, so an
  // older answer still coming is dropped.
  onHouseholdChange(e) {
    this.setData({ householdIndex: Number(e.detail.value), payState: '', payMessage: '', loaded: false })
    return this.load()
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
    if (outcome === 'cancelled') {
      // The sheet was closed: cancel the order so other bills can be chosen.
      const after = await cancelAfterSheet(order.payment_id)
      this.showPay(after.state, after.message)
      if (after.state === 'paid') wx.showToast({ title: '缴费成功', icon: 'success' })
      return
    }
    if (outcome !== 'done') {
      this.showPay(outcome) // failed: the order stays open (paying again reuses it)
      return
    }
    this.showPay('confirming')
    // paid | closed | disputed (another amount taken: the bills are unpaid
    // again, the committee refunds) | pending (not known yet).
    const state = paymentOutcome(await waitForPayment(order.payment_id))
    this.showPay(state)
    if (state === 'paid') wx.showToast({ title: '缴费成功', icon: 'success' })
  },

  // 取消订单 on an open order holding 支付中 bills, after a confirmation.
  async cancelOrder(e) {
    const id = Number(e.currentTarget.dataset.id)
    if (this.data.paying || !id) return
    const sure = await confirm(
      '取消这笔订单？',
      '取消后这笔订单不能再付款，账单会恢复为待缴，可以重新选择。下单不满 5 分钟的，要等满 5 分钟才恢复。'
    )
    if (!sure) return
    this.setData({ paying: true })
    try {
      this.showPay('cancelled', cancelledMessage(await cancelPayment(id)))
    } catch (err) {
      // 409 payment_already_paid: WeChat Pay was paid after all, and it is credited now.
      this.showPay(err.code === 'payment_already_paid' ? 'paid' : 'error', errorMessage(err))
    } finally {
      this.setData({ paying: false })
    }
    await this.refreshBills()
  },

  goPayments() {
    wx.navigateTo({ url: '/pages/payments/index' })
  },

  goBind() {
    wx.navigateTo({ url: '/pages/bind/index' })
  },
}))
