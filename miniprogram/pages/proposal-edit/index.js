// 起草表决事项 / 修改 (the committee): the title, the text, the art. 278
// matter (which fixes the passing rule), the candidates of an election, what
// it changes if passed — nothing, a fee's new rate from a month, or a large
// expense — and documents. Opened with ?compound= it drafts; with ?id= it
// changes a draft in place, or during notice makes a new version whose
// 修改说明 is required (owners who commented are told).
const { ensureLogin } = require('../../api/auth')
const { getProposal, createProposal, updateProposal, listFeeItems } = require('../../api/decisions')
const { listExpenses } = require('../../api/spending')
const { addPhotos, confirmRemovePhoto, retryPhoto, uploadedIds, photoProblem, previewPhotos } = require('../../services/photos')
const { matterOptions, rateProblem } = require('../../utils/decisions')
const { formatYuan } = require('../../utils/money')
const { monthInShanghai } = require('../../utils/format')
const { errorMessage } = require('../../utils/errors')
const { confirmOnce } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const ELECTION = 3
const TITLE_MAX = 100
const BODY_MAX = 10000
const MAX_CANDIDATES = 20

const EFFECTS = [
  { value: 'none', label: '不涉及收费或支出' },
  { value: 'fee_rate', label: '调整一项费用的单价' },
  { value: 'expense', label: '同意一笔大额支出' },
]

let lastKey = 0
const candidate = (labelText = '') => ({ key: `c${++lastKey}`, label: labelText })

// Fees billed per m² can take a new rate; expenses above the threshold that
// are still open can be decided by the owners.
const rateItems = (items) =>
  (items || []).filter((f) => f.kind === 'per_area' && f.active !== false).map((f) => ({
    value: f.code,
    label: `${f.name}（现 ${f.rate} 元/m²/月）`,
  }))

const largeExpenses = (items) =>
  (items || [])
    .filter((e) => e.large && ['proposed', 'approved'].includes(e.status))
    .map((e) => ({ value: e.id, label: `${e.purpose}（¥${formatYuan(e.amount_fen)}）` }))

// A revision keeps the fee or expense the proposal already names even when
// the lists do not offer it (an expense on an older page of the list, a fee
// made inactive, a list that failed to load): picking the first one offered
// instead would change what the owners decide without anyone choosing it.
function keepOwn(o, fees, expenses) {
  const effect = o.effect || {}
  const own = o.effect_text ? `本事项原定：${o.effect_text}` : ''
  if (effect.kind === 'fee_rate' && effect.item && !fees.some((f) => f.value === effect.item)) {
    fees = [{ value: effect.item, label: own || effect.item_name || effect.item }].concat(fees)
  }
  if (effect.kind === 'expense' && effect.expense_id && !expenses.some((e) => e.value === effect.expense_id)) {
    expenses = [{ value: effect.expense_id, label: own || `第 ${effect.expense_id} 号支出` }].concat(expenses)
  }
  return { fees, expenses }
}

const count = (text) => Array.from(text || '').length

// What makes two option lists or two effects the same, whatever else the
// server adds to them (generated choices, a label of the fee, rates as "0.4000").
const optionLabels = (options) => (options || []).map((o) => (o.choice === 'abstain' ? 'abstain' : o.label))
function effectKey(effect) {
  const e = effect || { kind: 'none' }
  return [e.kind || 'none', e.item || '', e.rate ? Number(e.rate) : '', e.from_period || '', e.expense_id || '']
}

function problems(d) {
  const errors = {}
  const title = d.title.trim()
  const body = d.body.trim()
  if (!title) errors.title = '请填写标题'
  else if (count(title) > TITLE_MAX) errors.title = `标题最多 ${TITLE_MAX} 字`
  if (!body) errors.body = '请写明要业主决定的内容'
  else if (count(body) > BODY_MAX) errors.body = `内容最多 ${BODY_MAX} 字`
  if (d.matter === ELECTION) {
    const names = d.candidates.map((c) => c.label.trim())
    if (names.filter(Boolean).length < 2) errors.candidates = '选举至少要有 2 位候选人'
    else if (names.some((n) => !n)) errors.candidates = '有候选人没写名字，请填写或删除'
  }
  const effect = EFFECTS[d.effectIndex].value
  if (effect === 'fee_rate') {
    if (!d.feeItems[d.feeIndex]) errors.fee = '请选择要调整的费用'
    const rate = rateProblem(d.rate)
    if (rate) errors.rate = rate
  }
  if (effect === 'expense' && !d.expenses[d.expenseIndex]) errors.expense = '没有可以表决的大额支出'
  if (d.noteRequired && !d.note.trim()) errors.note = '公示期间修改，请写明改了什么'
  const photo = photoProblem(d.documents)
  if (photo) errors.documents = photo
  return errors
}

// Where the server's refusal belongs on the form: by its code (a fee, a
// rate, an expense, the note...), else by the fields it names; '' when it
// belongs to the form as a whole.
const FIELD_OF_CODE = {
  note_required: 'note',
  options_invalid: 'candidates',
  effect_options: 'candidates',
  fee_item_invalid: 'fee',
  rate_invalid: 'rate',
  period_invalid: 'period',
  expense_not_found: 'expense',
  expense_not_eligible: 'expense',
  expense_taken: 'expense',
  photo_invalid: 'documents',
}
const FIELD_OF_INPUT = { title: 'title', body: 'body', options: 'candidates', note: 'note', attachments: 'documents', matter: 'title' }
const EFFECT_FIELD = { item: 'fee', rate: 'rate', from_period: 'period', expense_id: 'expense' }

// A nested message ({"effect": {"rate": ["…"]}}) as its first words.
function firstText(value) {
  if (Array.isArray(value)) return value.map(firstText).filter(Boolean).join('；')
  if (value && typeof value === 'object') return firstText(Object.values(value)[0])
  return value == null ? '' : String(value)
}

function serverProblems(err) {
  const field = FIELD_OF_CODE[err && err.code]
  if (field) return { [field]: errorMessage(err) }
  const fields = (err && err.details && err.details.fields) || {}
  const errors = {}
  for (const name of Object.keys(fields)) {
    if (name === 'effect' && fields.effect && typeof fields.effect === 'object' && !Array.isArray(fields.effect)) {
      for (const key of Object.keys(fields.effect)) errors[EFFECT_FIELD[key] || 'fee'] = firstText(fields.effect[key])
    } else if (FIELD_OF_INPUT[name]) {
      errors[FIELD_OF_INPUT[name]] = firstText(fields[name])
    }
  }
  return errors
}

Page(
  loadable({
    data: {
      editing: false,
      status: 'draft',
      noteRequired: false,
      title: '',
      body: '',
      matters: matterOptions(),
      matterIndex: 0,
      matter: 1,
      candidates: [candidate(), candidate()],
      abstain: true,
      effects: EFFECTS,
      effectIndex: 0,
      feeItems: [],
      feeIndex: 0,
      rate: '',
      fromPeriod: '',
      firstPeriod: '',
      expenses: [],
      expenseIndex: 0,
      documents: [],
      note: '',
      errors: {},
      formError: '',
      sending: false,
    },

    onLoad(options) {
      this.code = (options && options.compound) || ''
      this.proposalId = Number((options && options.id) || 0)
      this.original = null
      this.setData({ editing: Boolean(this.proposalId) })
      if (wx.setNavigationBarTitle) wx.setNavigationBarTitle({ title: this.proposalId ? '修改表决事项' : '起草表决事项' })
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      if (this.proposalId && !this.original) {
        this.original = await getProposal(this.proposalId)
        this.code = this.original.compound
      }
      // The choices of an effect; without them the form still works.
      const [fees, expenses] = await Promise.all([
        listFeeItems(this.code).then((r) => rateItems(r.items), () => []),
        // The open statuses one by one: the whole list's first page would miss older ones.
        Promise.all(['proposed', 'approved'].map((status) => listExpenses(this.code, { status }).then((r) => r.items || [], () => []))).then(
          (lists) => largeExpenses([].concat(...lists))
        ),
      ])
      const o = this.original
      const kept = o ? keepOwn(o, fees, expenses) : { fees, expenses }
      const patch = { feeItems: kept.fees, expenses: kept.expenses, firstPeriod: monthInShanghai() }
      if (o) Object.assign(patch, this.prefill(o, kept.fees, kept.expenses))
      return patch
    },

    prefill(o, fees, expenses) {
      const effect = o.effect || { kind: 'none' }
      const candidates = (o.options || []).filter((opt) => opt.choice !== 'abstain').map((opt) => candidate(opt.label))
      return {
        status: o.status,
        noteRequired: o.status === 'notice',
        title: o.title,
        body: o.body,
        matter: o.matter,
        matterIndex: o.matter - 1,
        candidates: o.matter === ELECTION ? candidates : this.data.candidates,
        abstain: (o.options || []).some((opt) => opt.choice === 'abstain'),
        effectIndex: Math.max(0, EFFECTS.findIndex((e) => e.value === effect.kind)),
        feeIndex: Math.max(0, fees.findIndex((f) => f.value === effect.item)),
        rate: effect.rate || '',
        fromPeriod: effect.from_period || '',
        expenseIndex: Math.max(0, expenses.findIndex((e) => e.value === effect.expense_id)),
      }
    },

    clearError(field) {
      return Object.assign({}, this.data.errors, { [field]: '' })
    },

    onInput(e) {
      const field = e.currentTarget.dataset.field
      this.setData({ [field]: e.detail.value, errors: this.clearError(field) })
    },

    onMatter(e) {
      const index = Number(e.detail.value)
      const matter = this.data.matters[index].value
      // An election changes nothing else: its options are the candidates.
      const patch = { matterIndex: index, matter, errors: this.clearError('candidates') }
      if (matter === ELECTION) patch.effectIndex = 0
      this.setData(patch)
    },

    onEffect(e) {
      this.setData({ effectIndex: Number(e.detail.value), errors: {} })
    },

    onFee(e) {
      this.setData({ feeIndex: Number(e.detail.value), errors: this.clearError('fee') })
    },

    onFromPeriod(e) {
      this.setData({ fromPeriod: e.detail.value, errors: this.clearError('period') })
    },

    onExpense(e) {
      this.setData({ expenseIndex: Number(e.detail.value), errors: this.clearError('expense') })
    },

    onCandidate(e) {
      const key = e.currentTarget.dataset.key
      const candidates = this.data.candidates.map((c) => (c.key === key ? Object.assign({}, c, { label: e.detail.value }) : c))
      this.setData({ candidates, errors: this.clearError('candidates') })
    },

    addCandidate() {
      if (this.data.candidates.length >= MAX_CANDIDATES) return
      this.setData({ candidates: this.data.candidates.concat(candidate()) })
    },

    removeCandidate(e) {
      const key = e.currentTarget.dataset.key
      this.setData({ candidates: this.data.candidates.filter((c) => c.key !== key) })
    },

    onAbstain(e) {
      this.setData({ abstain: Boolean(e.detail.value) })
    },

    addDocument() {
      return addPhotos(this, 'documents')
    },

    removeDocument(e) {
      return confirmRemovePhoto(this, 'documents', e.currentTarget.dataset.key, '删除这份附件？', '表决事项')
    },

    retryDocument(e) {
      return retryPhoto(this, 'documents', e.currentTarget.dataset.key)
    },

    previewDocument(e) {
      previewPhotos(this.data.documents.map((p) => p.path), e.currentTarget.dataset.path)
    },

    options() {
      const d = this.data
      if (d.matter !== ELECTION) return undefined
      const list = d.candidates.map((c) => ({ label: c.label.trim() }))
      return d.abstain ? list.concat({ choice: 'abstain', label: '弃权' }) : list
    },

    effect() {
      const d = this.data
      const kind = EFFECTS[d.effectIndex].value
      if (kind === 'fee_rate') {
        const effect = { kind, item: d.feeItems[d.feeIndex].value, rate: d.rate.trim() }
        if (d.fromPeriod) effect.from_period = d.fromPeriod
        return effect
      }
      if (kind === 'expense') return { kind, expense_id: d.expenses[d.expenseIndex].value }
      return { kind: 'none' }
    },

    // A new draft: everything. A change: what differs, and the note.
    body() {
      const d = this.data
      const full = { title: d.title.trim(), body: d.body.trim(), options: this.options(), effect: this.effect() }
      if (!this.original) {
        const created = Object.assign({ matter: d.matter, attachments: uploadedIds(d.documents) }, full)
        if (!created.options) delete created.options
        return created
      }
      const o = this.original
      const before = { title: o.title, body: o.body, options: o.matter === ELECTION ? o.options : undefined, effect: o.effect }
      const same = {
        title: (a, b) => a === b,
        body: (a, b) => a === b,
        options: (a, b) => JSON.stringify(optionLabels(a)) === JSON.stringify(optionLabels(b)),
        effect: (a, b) => JSON.stringify(effectKey(a)) === JSON.stringify(effectKey(b)),
      }
      const changed = {}
      for (const key of Object.keys(full)) {
        if (full[key] !== undefined && !same[key](full[key], before[key])) changed[key] = full[key]
      }
      if (d.note.trim()) changed.note = d.note.trim()
      return changed
    },

    async submit() {
      if (this.data.sending) return
      const errors = problems(this.data)
      if (Object.keys(errors).length) {
        this.setData({ errors, formError: '请按提示修改后再提交' })
        return
      }
      const body = this.body()
      const o = this.original
      if (o && !Object.keys(body).some((key) => key !== 'note')) {
        this.setData({ formError: '没有改动' })
        return
      }
      const [title, question, confirmText] = !o
        ? ['保存草稿', '草稿只有业委会和监事能看到；公示前还可以修改。', '保存']
        : o.status === 'notice'
          ? ['保存新版本', `保存为第${o.version + 1}版。以前的版本都保留，提过意见的业主会收到通知。`, '保存']
          : ['保存修改', '草稿直接改好，公示前还可以再改。', '保存']
      if (!(await confirmOnce(this, title, question, { confirmText }))) return
      this.setData({ sending: true, formError: '' })
      try {
        const saved = o ? await updateProposal(this.proposalId, body) : await createProposal(this.code, body)
        wx.showToast({ title: '已保存', icon: 'success' })
        if (o) wx.navigateBack()
        else wx.redirectTo({ url: `/pages/proposal/index?id=${saved.id}` })
      } catch (err) {
        const errors = serverProblems(err)
        const placed = Object.keys(errors).length > 0
        this.setData({ errors: Object.assign({}, this.data.errors, errors), formError: placed ? '请按提示修改后再提交' : errorMessage(err) })
      }
      this.setData({ sending: false })
    },
  })
)
