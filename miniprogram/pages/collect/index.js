// 收费登记 (unit liaisons and the committee): a month's 未缴名单; tap a
// household to record the cash or transfer it handed over. The record waits
// for a second committee member to confirm it (pages/confirm). Bills held by
// the resident's unpaid WeChat Pay order (支付中) can be freed by cancelling
// that order first, after a confirmation.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { unpaidHouseholds, householdUnpaidBills } = require('../../api/fees')
const { recordOfflinePayment } = require('../../api/offline')
const { cancelPayment } = require('../../api/payments')
const {
  billView,
  unpaidView,
  checkedIds,
  selectBills,
  selectAllPayable,
  openOrders,
} = require('../../utils/bills')
const { roleCompounds } = require('../../utils/user')
const { COLLECTOR_ROLES, optionsFor } = require('../../utils/labels')
const { validateOfflinePayment } = require('../../utils/validate')
const { addPhotos, confirmRemovePhoto, retryPhoto, uploadedIds, photoProblem } = require('../../services/photos')
const { todayInShanghai, monthInShanghai, formatMonth, formatTime } = require('../../utils/format')
const { errorMessage, fieldErrors } = require('../../utils/errors')
const { confirm } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const RECORDED = '已登记，等待另一位业委会成员确认'
const NOT_FOR_YOU = '只有单元联络人和业委会成员可以登记收费。'
// Fields of POST /offline-payments the form shows errors under; others go on top.
const FORM_FIELDS = ['bill_ids', 'method', 'paid_on', 'receipt_photo', 'note']

const EMPTY_FORM = {
  household: null,
  billsLoading: false,
  billsError: '',
  bills: [],
  // The resident's open WeChat Pay orders holding some of the bills.
  orders: [],
  orderNotice: '',
  cancelling: false,
  selectedIds: [],
  totalFen: 0,
  total: '0.00',
  methodIndex: 0,
  paidOn: '',
  receiptPhotos: [],
  note: '',
  errors: {},
  submitting: false,
}

// What cancelling the resident's order came to, for the collector.
function orderCancelled(payment) {
  if (payment.status === 'closed') return '线上订单已取消，可以登记现金了'
  const when = formatTime(payment.closes_at).slice(11, 16)
  return `线上订单已取消。微信支付要求下单 5 分钟后才能关闭订单，请 ${when} 后下拉刷新再登记`
}

Page(
  loadable({
    data: Object.assign(
      {
        denied: '', // neither a liaison nor on a committee: said once
        compounds: [],
        compoundIndex: 0,
        month: '',
        monthText: '',
        thisMonth: '',
        today: '',
        households: [],
        notice: '',
        methods: [],
      },
      EMPTY_FORM
    ),

    onLoad() {
      const month = monthInShanghai()
      this.recorded = {} // household id → true: recorded here, awaiting confirmation
      this.setData({
        month,
        monthText: formatMonth(month),
        thisMonth: month,
        today: todayInShanghai(),
        methods: optionsFor('offline_method'), // the server's words once it has sent them
      })
      return this.load()
    },

    // My compounds (asked once), then the month's 未缴名单.
    async fetch() {
      await ensureLogin()
      let compounds = this.data.compounds
      if (!compounds.length) {
        compounds = roleCompounds(await getMe(), COLLECTOR_ROLES)
        if (!compounds.length) return { denied: NOT_FOR_YOU }
      }
      const compound = compounds[this.data.compoundIndex]
      const { items } = await unpaidHouseholds({ compound: compound.code, period: this.data.month })
      const households = items.map((row) =>
        Object.assign(unpaidView(row), { recorded: Boolean(this.recorded[row.household_id]) })
      )
      return { denied: '', compounds, households }
    },

    // Everybody paid this month (or nothing was billed).
    isEmpty(data) {
      return !data.denied && !data.households.length
    },

    // Pull-down: the open household's bills (an order cancelled meanwhile frees
    // them), else the list.
    refresh() {
      return this.data.household ? this.loadBills() : this.load()
    },

    // ----- 未缴名单 -----

    onCompoundChange(e) {
      this.setData({ compoundIndex: Number(e.detail.value), notice: '', loaded: false })
      return this.load()
    },

    // <picker mode="date" fields="month">: "YYYY-MM".
    onMonthChange(e) {
      const month = e.detail.value
      this.setData({ month, monthText: formatMonth(month), notice: '', loaded: false })
      return this.load()
    },

    // ----- the form -----

    // Tap on a household: its unpaid bills (all periods), every one ticked.
    async openHousehold(e) {
      const id = Number(e.currentTarget.dataset.id)
      const household = this.data.households.find((h) => h.householdId === id)
      if (!household) return
      this.setData(
        Object.assign({}, EMPTY_FORM, { household, billsLoading: true, paidOn: this.data.today, notice: '' })
      )
      await this.loadBills()
    },

    async loadBills() {
      this.setData({ billsLoading: true, billsError: '' })
      try {
        const { items } = await householdUnpaidBills(this.data.household.householdId)
        const bills = items.map(billView)
        this.setData(Object.assign(selectAllPayable(bills), { orders: openOrders(bills) }))
      } catch (err) {
        this.setData({ billsError: errorMessage(err) })
      } finally {
        this.setData({ billsLoading: false })
      }
    },

    // 取消线上订单: the resident opened a WeChat Pay order for these bills and did
    // not pay; cancel it (after a confirmation) so the cash can be recorded.
    async cancelOrder(e) {
      const id = Number(e.currentTarget.dataset.id)
      if (this.data.cancelling || !id) return
      const sure = await confirm(
        '取消住户的微信支付订单？',
        '住户已发起微信支付但还没付款。取消后这笔订单不能再付款，账单恢复为待缴，就可以登记现金。',
        { confirmText: '取消订单', cancelText: '不取消' }
      )
      if (!sure) return
      this.setData({ cancelling: true, orderNotice: '', errors: this.clearError('form') })
      try {
        const payment = await cancelPayment(id)
        this.setData({ orderNotice: orderCancelled(payment) })
      } catch (err) {
        // 409 payment_already_paid: the resident paid after all (now credited).
        this.setData({ errors: Object.assign({}, this.data.errors, { form: errorMessage(err) }) })
      } finally {
        this.setData({ cancelling: false })
      }
      await this.loadBills()
    },

    closeForm() {
      this.setData(Object.assign({}, EMPTY_FORM))
    },

    clearError(field) {
      const errors = Object.assign({}, this.data.errors)
      delete errors[field]
      delete errors.form
      return errors
    },

    // The amount is the ticked bills' total: it can only shrink by unticking bills.
    onSelect(e) {
      const selection = selectBills(this.data.bills, checkedIds(e.detail.value))
      this.setData(Object.assign(selection, { errors: this.clearError('bill_ids') }))
    },

    onMethodChange(e) {
      this.setData({ methodIndex: Number(e.detail.value), errors: this.clearError('method') })
    },

    onDateChange(e) {
      this.setData({ paidOn: e.detail.value, errors: this.clearError('paid_on') })
    },

    onNoteInput(e) {
      this.setData({ note: e.detail.value, errors: this.clearError('note') })
    },

    chooseReceipt() {
      this.setData({ errors: this.clearError('receipt_photo') })
      return addPhotos(this, 'receiptPhotos', 1)
    },

    removeReceipt(e) {
      const key = e.currentTarget.dataset.key
      return confirmRemovePhoto(this, 'receiptPhotos', key, '删除收据照片？', '登记')
    },

    retryReceipt(e) {
      return retryPhoto(this, 'receiptPhotos', e.currentTarget.dataset.key)
    },

    previewReceipt() {
      const photo = this.data.receiptPhotos[0]
      if (photo) wx.previewImage({ urls: [photo.path], current: photo.path })
    },

    form() {
      const method = this.data.methods[this.data.methodIndex]
      return {
        billIds: this.data.selectedIds,
        method: method ? method.value : '',
        methodLabel: method ? method.label : '',
        paidOn: this.data.paidOn,
        note: this.data.note,
      }
    },

    // Checked, then asked (money handed over is recorded once), then sent; it
    // counts only when a second committee member confirms it.
    async submit() {
      if (this.data.submitting || !this.data.household) return
      const form = this.form()
      const errors = validateOfflinePayment(form, this.data.today)
      const photo = photoProblem(this.data.receiptPhotos)
      if (photo) errors.receipt_photo = photo
      if (Object.keys(errors).length) {
        this.setData({ errors })
        return
      }
      const household = this.data.household
      const what = `${household.label}：${form.methodLabel} ¥${this.data.total}（${form.paidOn}）`
      const question = `${what}。登记后须由另一位业委会成员确认，确认后这些账单才记为已缴。`
      if (!(await confirm('登记收款', question, { confirmText: '登记', cancelText: '再看看' }))) return
      this.setData({ submitting: true, errors: {} })
      try {
        await recordOfflinePayment({
          bill_ids: form.billIds,
          method: form.method,
          amount_fen: this.data.totalFen,
          paid_on: form.paidOn,
          receipt_photo: uploadedIds(this.data.receiptPhotos)[0] || null,
          note: (form.note || '').trim() || null,
        })
      } catch (err) {
        this.setData({ submitting: false })
        await this.failed(err)
        return
      }
      this.recorded[household.householdId] = true
      this.setData(Object.assign({}, EMPTY_FORM, { notice: `${household.label} ${RECORDED}` }))
      wx.showToast({ title: '已登记', icon: 'success' })
      await this.load()
    },

    // Field errors under their fields, anything else (409: a bill paid
    // meanwhile; amount_mismatch) on top of the form, with the bills reloaded.
    async failed(err) {
      const fields = fieldErrors(err)
      const errors = {}
      Object.keys(fields).forEach((name) => (errors[FORM_FIELDS.includes(name) ? name : 'form'] = fields[name]))
      if (!Object.keys(errors).length) errors.form = errorMessage(err)
      this.setData({ errors })
      if (err.status === 409 || err.code === 'amount_mismatch') await this.loadBills()
    },
  })
)
