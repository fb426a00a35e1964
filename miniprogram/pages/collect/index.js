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
const { COLLECTOR_ROLES, OFFLINE_METHOD_OPTIONS } = require('../../utils/labels')
const { validateOfflinePayment } = require('../../utils/validate')
const { addPhotos, removePhoto, retryPhoto, uploadedIds, photoProblem } = require('../../services/photos')
const { todayInShanghai, monthInShanghai, formatMonth, formatTime } = require('../../utils/format')
const { errorMessage, fieldErrors } = require('../../utils/errors')
const { confirm } = require('../../utils/ui')

const RECORDED = '已登记，等待另一位业委会成员确认'
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

Page({
  data: Object.assign(
    {
      loaded: false,
      error: '',
      compounds: [],
      compoundIndex: 0,
      month: '',
      monthText: '',
      thisMonth: '',
      today: '',
      listLoading: false,
      listError: '',
      households: [],
      notice: '',
      methods: OFFLINE_METHOD_OPTIONS,
    },
    EMPTY_FORM
  ),

  onLoad() {
    const month = monthInShanghai()
    this.recorded = {} // household id → true: recorded here, awaiting confirmation
    this.setData({ month, monthText: formatMonth(month), thisMonth: month, today: todayInShanghai() })
    return this.init()
  },

  // The open household's bills (an order cancelled meanwhile frees them), else the list.
  onPullDownRefresh() {
    const reload = this.data.household ? this.loadBills() : this.loadUnpaid()
    return reload.then(() => wx.stopPullDownRefresh())
  },

  async init() {
    try {
      await ensureLogin()
      const compounds = roleCompounds(await getMe(), COLLECTOR_ROLES)
      if (!compounds.length) {
        this.setData({ loaded: true, error: '只有单元联络人和业委会成员可以登记收费' })
        return
      }
      this.setData({ loaded: true, error: '', compounds })
    } catch (err) {
      this.setData({ loaded: true, error: errorMessage(err) })
      return
    }
    await this.loadUnpaid()
  },

  // ----- 未缴名单 -----

  async loadUnpaid() {
    const compound = this.data.compounds[this.data.compoundIndex]
    if (!compound) return
    this.setData({ listLoading: true })
    try {
      const { items } = await unpaidHouseholds({ compound: compound.code, period: this.data.month })
      const households = items.map((row) =>
        Object.assign(unpaidView(row), { recorded: Boolean(this.recorded[row.household_id]) })
      )
      this.setData({ households, listError: '' })
    } catch (err) {
      this.setData({ households: [], listError: errorMessage(err) })
    } finally {
      this.setData({ listLoading: false })
    }
  },

  onCompoundChange(e) {
    this.setData({ compoundIndex: Number(e.detail.value), notice: '' })
    return this.loadUnpaid()
  },

  // <picker mode="date" fields="month">: "YYYY-MM".
  onMonthChange(e) {
    const month = e.detail.value
    this.setData({ month, monthText: formatMonth(month), notice: '' })
    return this.loadUnpaid()
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
      '住户已发起微信支付但还没付款。取消后这笔订单不能再付款，账单恢复为待缴，就可以登记现金。'
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
    removePhoto(this, 'receiptPhotos', e.currentTarget.dataset.key)
  },

  retryReceipt(e) {
    return retryPhoto(this, 'receiptPhotos', e.currentTarget.dataset.key)
  },

  form() {
    const method = this.data.methods[this.data.methodIndex]
    return {
      billIds: this.data.selectedIds,
      method: method ? method.value : '',
      paidOn: this.data.paidOn,
      note: this.data.note,
    }
  },

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
    const household = this.data.household
    this.recorded[household.householdId] = true
    this.setData(Object.assign({}, EMPTY_FORM, { notice: `${household.label} ${RECORDED}` }))
    wx.showToast({ title: '已登记', icon: 'success' })
    await this.loadUnpaid()
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
