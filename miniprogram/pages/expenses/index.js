// 支出 (every member of a compound): each expense with its status, newest
// first. The committee and the finance supervisor also get 待我处理 (the
// supervisor's review queue, a second member's confirmation, a payment to
// record); the committee proposes with 新增支出.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { listExpenses } = require('../../api/spending')
const { memberCompounds, expenseItemView } = require('../../utils/spending')
const { FINANCE_ROLES } = require('../../utils/labels')
const { roleCompounds } = require('../../utils/user')
const { loadable } = require('../../utils/page')

const NOT_A_MEMBER = '绑定房屋或担任小区的职务后，就能看到小区的每一笔支出。'

const FILTERS = [
  { key: 'all', label: '全部' },
  { key: 'mine', label: '待我处理', finance: true },
  { key: 'proposed', label: '待审核' },
  { key: 'paid', label: '已支付' },
]

Page(
  loadable({
    data: {
      denied: '',
      compounds: [],
      compoundIndex: 0,
      filters: FILTERS.filter((f) => !f.finance),
      filter: 'all',
      items: [],
      nextCursor: null,
      waiting: 0,
      canPropose: false,
    },

    paging: { list: 'items', cursor: 'nextCursor' },

    onLoad(options) {
      this.wanted = (options && options.compound) || ''
      this.startFilter = (options && options.filter) || ''
    },

    onShow() {
      return this.load()
    },

    async fetch(cursor) {
      await ensureLogin()
      let { compounds } = this.data
      const patch = {}
      if (!compounds.length) {
        const me = await getMe()
        compounds = memberCompounds(me)
        if (!compounds.length) return { denied: NOT_A_MEMBER }
        const index = Math.max(0, compounds.findIndex((c) => c.code === this.wanted))
        this.finance = roleCompounds(me, FINANCE_ROLES).map((c) => c.code)
        this.committee = roleCompounds(me, ['committee']).map((c) => c.code)
        Object.assign(patch, { compounds, compoundIndex: index })
        if (this.startFilter === 'mine') patch.filter = 'mine'
      }
      const index = 'compoundIndex' in patch ? patch.compoundIndex : this.data.compoundIndex
      const code = compounds[index].code
      const filter = patch.filter || this.data.filter
      const finance = (this.finance || []).includes(code)
      const page = await listExpenses(code, {
        status: filter === 'all' || filter === 'mine' ? '' : filter,
        waitingForMe: filter === 'mine',
        cursor,
      })
      return Object.assign(patch, {
        denied: '',
        filters: FILTERS.filter((f) => finance || !f.finance),
        items: page.items.map(expenseItemView),
        nextCursor: page.next_cursor || null,
        waiting: page.waiting_for_me || 0,
        canPropose: (this.committee || []).includes(code),
      })
    },

    isEmpty(data) {
      return !data.denied && !data.items.length
    },

    onCompoundChange(e) {
      this.setData({ compoundIndex: Number(e.detail.value), items: [], nextCursor: null, loaded: false })
      return this.load()
    },

    onFilter(e) {
      const filter = e.currentTarget.dataset.key
      if (filter === this.data.filter) return undefined
      this.setData({ filter, items: [], nextCursor: null, loaded: false })
      return this.load()
    },

    openExpense(e) {
      wx.navigateTo({ url: `/pages/expense/index?id=${e.currentTarget.dataset.id}` })
    },

    propose() {
      const compound = this.data.compounds[this.data.compoundIndex]
      if (compound) wx.navigateTo({ url: `/pages/expense-new/index?compound=${compound.code}` })
    },
  })
)
