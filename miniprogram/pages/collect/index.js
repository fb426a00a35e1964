// 收费登记 (unit liaisons and the committee): a month's 未缴名单; tap a
// household to record the cash or transfer it handed over. The record waits
// for a second committee member to confirm it (pages/confirm).
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { unpaidHouseholds, householdUnpaidBills } = require('../../api/fees')
const { recordOfflinePayment } = require('../../api/offline')
const { billView, unpaidView, checkedIds, selectBills, selectAllPayable } = require('../../utils/bills')
const { roleCompounds } = require('../../utils/user')
const { COLLECTOR_ROLES, OFFLINE_METHOD_OPTIONS } = require('../../utils/labels')
const { validateOfflinePayment } = require('../../utils/validate')
const { addPhotos, removePhoto, retryPhoto, uploadedIds, photoProblem } = require('../../utils/photos')
const { todayInShanghai, monthInShanghai, formatMonth } = require('../../utils/format')
const { errorMessage, fieldErrors } = require('../../utils/errors')

const RECORDED = '已登记，等待另一位业委会成员确认'
// Fields of POST /offline-payments the form shows errors under; others go on top.
const FORM_FIELDS = ['bill_ids', 'method', 'paid_on', 'receipt_photo', 'note']

const EMPTY_FORM = {
  household: null,
  billsLoading: false,
  billsError: '',
  bills: [],
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

  onPullDownRefresh() {
    return this.loadUnpaid().then(() => wx.stopPullDownRefresh())
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
      this.setData(selectAllPayable(items.map(billView)))
    } catch (err) {
      this.setData({ billsError: errorMessage(err) })
    } finally {
      this.setData({ billsLoading: false })
    }
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
