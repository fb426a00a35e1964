// 退款记录 (committee, supervisor): a compound's refunds through WeChat Pay,
// newest first, each with who proposed and confirmed it and when. Opened from
// an anomaly's 微信退款 (pages/collection, with ?payment=&anomaly=&due=) it
// first shows the form: amount (prefilled with what is still owed back) and
// reason, a wx.showModal saying what follows, then the result. A refund
// proposed here is sent only once another committee member confirms it in
// pages/confirm.
const { ensureLogin } = require('../../api/auth')
const { listRefunds, proposeRefund, refundable } = require('../../api/refunds')
const { refundView } = require('../../utils/refunds')
const { optionsFor } = require('../../utils/labels')
const { formatYuan, parseYuan } = require('../../utils/money')
const { checkText } = require('../../utils/validate')
const { errorMessage, fieldErrors } = require('../../utils/errors')
const { showModal, confirmOnce } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const REASON_MAX = 200
const ALL = { value: '', label: '全部' }
const SENT = '已提交，等待另一位业委会成员确认。确认后钱会通过微信支付原路退回给住户。'

// What the form refunds: {paymentId, anomalyId, dueFen}, from the page's query.
function formOf(query) {
  const paymentId = Number(query.payment) || 0
  if (!paymentId) return null
  return { paymentId, anomalyId: Number(query.anomaly) || 0, dueFen: Number(query.due) || 0 }
}

Page(
  loadable({
    data: {
      code: '',
      statuses: [ALL],
      statusIndex: 0,
      items: [],
      // The form: shown while `form` is set; `payment` is what the server says
      // may still be refunded of it.
      form: null,
      payment: null,
      amount: '',
      reason: '',
      errors: {},
      sending: false,
    },

    onLoad(query) {
      const options = query || {}
      this.setData({
        code: decodeURIComponent(options.compound || ''),
        form: formOf(options),
        statuses: [ALL].concat(optionsFor('refund_status')),
      })
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      const status = this.data.statuses[this.data.statusIndex].value
      const [list, payment] = await Promise.all([
        listRefunds(this.data.code, { status }),
        this.data.form && !this.data.payment ? refundable(this.data.code, this.data.form.paymentId) : null,
      ])
      const patch = { items: list.items.map(refundView) }
      if (payment) Object.assign(patch, this.formPatch(payment))
      return patch
    },

    // What may go back, prefilled: what the anomaly still owes back, never more
    // than WeChat Pay can still refund of the payment.
    formPatch(payment) {
      const due = this.data.form.dueFen
      const fen = Math.max(due ? Math.min(due, payment.refundable_fen) : payment.refundable_fen, 0)
      return {
        payment: {
          household: payment.household || '',
          outTradeNo: payment.out_trade_no,
          paid: formatYuan(payment.paid_fen),
          refunded: formatYuan(payment.refunded_fen),
          inFlight: payment.in_flight_fen ? formatYuan(payment.in_flight_fen) : '',
          refundableFen: fen,
          refundable: formatYuan(fen),
        },
        amount: fen > 0 ? formatYuan(fen).replace(/,/g, '') : '',
      }
    },

    isEmpty(data) {
      return !data.items.length && !data.form
    },

    onStatusChange(e) {
      this.setData({ statusIndex: Number(e.detail.value) })
      return this.load()
    },

    onAmount(e) {
      this.setData({ amount: e.detail.value, errors: Object.assign({}, this.data.errors, { amount_fen: '' }) })
    },

    onReason(e) {
      this.setData({ reason: e.detail.value, errors: Object.assign({}, this.data.errors, { reason: '' }) })
    },

    // {errors, body}: body is what is sent when nothing is wrong.
    check() {
      const limit = this.data.payment ? this.data.payment.refundableFen : 0
      const fen = parseYuan(this.data.amount)
      let amount = ''
      if (!fen) amount = '请填写退款金额（元），最多两位小数'
      else if (fen > limit) amount = `最多可退 ${formatYuan(limit)} 元`
      const reason = checkText(this.data.reason, REASON_MAX, '请填写退款理由')
      const errors = {}
      if (amount) errors.amount_fen = amount
      if (reason) errors.reason = reason
      if (Object.keys(errors).length) return { errors, body: null }
      const { paymentId, anomalyId } = this.data.form
      return { errors, body: { paymentId, anomalyId, amountFen: fen, reason: this.data.reason.trim() } }
    },

    async submit() {
      if (!this.data.form || this.data.sending) return
      const { errors, body } = this.check()
      this.setData({ errors })
      if (!body) return
      const whom = this.data.payment.household ? `${this.data.payment.household}` : '住户'
      const go = await confirmOnce(
        this,
        '微信原路退款',
        `退给${whom} ${formatYuan(body.amountFen)} 元。另一位业委会成员确认后，钱会通过微信支付原路退回，退出后不能撤回。`,
        { confirmText: '提交', cancelText: '再想想' }
      )
      if (!go) return
      this.setData({ sending: true })
      try {
        await proposeRefund(this.data.code, body)
      } catch (err) {
        this.setData({ sending: false })
        return this.failed(err)
      }
      this.setData({ sending: false, form: null, payment: null, amount: '', reason: '' })
      await showModal({ title: '已提交', content: SENT, showCancel: false, confirmText: '知道了' })
      return this.load()
    },

    // The server's word: over what may be refunded or a bad field under its
    // field; anything else (not refundable, not configured, the network) in a
    // dialog, the form kept.
    async failed(err) {
      if (err.code === 'refund_exceeds_refundable') {
        this.setData({ errors: { amount_fen: errorMessage(err) } })
        return
      }
      const fields = fieldErrors(err)
      if (fields.amount_fen || fields.reason) {
        this.setData({ errors: fields })
        return
      }
      await showModal({ title: '未能提交退款', content: errorMessage(err), showCancel: false, confirmText: '知道了' })
    },

    cancel() {
      if (!this.data.sending) this.setData({ form: null, payment: null, errors: {} })
    },
  })
)
