// 查看记录 (the committee and the finance supervisor): every time someone saw a
// phone in full or a care tag, exported the census, or a household downloaded or
// erased its own data: when, who, what, which flat and why; newest first, a page
// at a time. Filters: a date range and (the committee) one flat. 导出 downloads
// the log as the filters show it, as a workbook, and opens it; reading and
// exporting are logged too.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { getCompound } = require('../../api/bindings')
const { unitHouseholds } = require('../../api/issues')
const { accessLog, accessLogExport } = require('../../api/privacy')
const { roleCompounds } = require('../../utils/user')
const { ACCESS_LOG_ROLES, accessLogView } = require('../../utils/personal-data')
const { todayInShanghai } = require('../../utils/format')
const { errorMessage, showError } = require('../../utils/errors')
const { loadable } = require('../../utils/page')

const DENIED = '只有业委会成员和财务监督可以查看个人信息的查看记录。'

const NO_HOUSEHOLD = { units: [], unitIndex: -1, rooms: [], roomIndex: -1, householdId: null, roomsError: '' }

Page(
  loadable({
    data: Object.assign(
      {
        denied: '',
        compounds: [],
        compoundIndex: 0,
        canPickHousehold: false,
        items: [],
        nextCursor: null,
        from: '',
        to: '',
        today: '',
        exporting: false,
      },
      NO_HOUSEHOLD
    ),

    paging: { list: 'items', cursor: 'nextCursor' },

    onLoad() {
      this.setData({ today: todayInShanghai() })
      return this.load()
    },

    async fetch(cursor) {
      await ensureLogin()
      let compounds = this.data.compounds
      if (!compounds.length) {
        const me = await getMe()
        compounds = roleCompounds(me, ACCESS_LOG_ROLES)
        if (!compounds.length) return { denied: DENIED, items: [], nextCursor: null }
        this.committeeCodes = roleCompounds(me, ['committee']).map((c) => c.code)
      }
      const code = compounds[this.data.compoundIndex].code
      const { from, to, householdId } = this.data
      const page = await accessLog(code, { from, to, householdId, cursor })
      return {
        denied: '',
        compounds,
        canPickHousehold: (this.committeeCodes || []).includes(code),
        items: page.items.map(accessLogView),
        nextCursor: page.next_cursor || null,
      }
    },

    // Each filter reads the list again from its first page.
    reload(patch) {
      this.setData(Object.assign({ loaded: false, items: [], nextCursor: null }, patch))
      return this.load()
    },

    isEmpty(data) {
      return !data.denied && !data.items.length
    },

    onCompoundChange(e) {
      return this.reload(Object.assign({ compoundIndex: Number(e.detail.value), from: '', to: '' }, NO_HOUSEHOLD))
    },

    onFrom(e) {
      const from = e.detail.value
      return this.reload({ from, to: this.data.to && this.data.to < from ? from : this.data.to })
    },

    onTo(e) {
      const to = e.detail.value
      return this.reload({ to, from: this.data.from && this.data.from > to ? to : this.data.from })
    },

    // 按户查看 (the committee): the units first, then the rooms of one.
    async pickHousehold() {
      if (!this.data.canPickHousehold || this.data.units.length) return
      try {
        const structure = await getCompound(this.data.compounds[this.data.compoundIndex].code)
        const units = []
        for (const b of structure.buildings || []) {
          for (const u of b.units || []) units.push({ id: u.id, label: `${b.number}号楼${u.number}单元` })
        }
        this.setData({ units, roomsError: '' })
      } catch (err) {
        this.setData({ roomsError: errorMessage(err) })
      }
    },

    async onUnit(e) {
      const unitIndex = Number(e.detail.value)
      this.setData({ unitIndex, rooms: [], roomIndex: -1, roomsError: '' })
      try {
        const { items } = await unitHouseholds(this.data.units[unitIndex].id)
        this.setData({ rooms: items.map((h) => ({ id: h.id, label: h.label })) })
      } catch (err) {
        this.setData({ roomsError: errorMessage(err) })
      }
    },

    onRoom(e) {
      const roomIndex = Number(e.detail.value)
      const room = this.data.rooms[roomIndex]
      if (!room) return undefined
      return this.reload({ roomIndex, householdId: room.id })
    },

    clearFilters() {
      return this.reload(Object.assign({ from: '', to: '' }, NO_HOUSEHOLD))
    },

    // The workbook needs the bearer header: downloaded, then opened in WeChat's
    // document viewer, which can forward it to a chat or a computer.
    async exportLog() {
      if (this.data.exporting || !this.data.compounds.length) return
      this.setData({ exporting: true })
      try {
        const { from, to, householdId } = this.data
        const filePath = await accessLogExport(this.data.compounds[this.data.compoundIndex].code, { from, to, householdId })
        await new Promise((resolve, reject) =>
          wx.openDocument({ filePath, fileType: 'xlsx', showMenu: true, success: resolve, fail: reject })
        )
      } catch (err) {
        showError(err && err.message ? err : { message: '查看记录打不开，请稍后再试' })
      } finally {
        this.setData({ exporting: false })
      }
    },
  })
)
