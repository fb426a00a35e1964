// 工作交接 (committee, or a unit's liaison stepping down): pick the unit, see
// what would move, pick who takes over, confirm, then see what moved.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { getCompound } = require('../../api/bindings')
const { handoverPreview, handOver } = require('../../api/handovers')
const { roleCompounds } = require('../../utils/user')
const { committeeUnits, liaisonUnits, previewView, candidatesFor, confirmText, resultView } = require(
  '../../utils/handover'
)
const { errorMessage } = require('../../utils/errors')
const { loadable } = require('../../utils/page')

const NOT_ALLOWED = '只有业委会或单元联络人本人可以办理交接。'
const NO_UNITS = '小区还没有楼栋和单元。请先在「小区概况」里导入房屋名册，再来办理交接。'
const HANDOVER_COMMITTEE = ['committee']

Page(
  loadable({
    data: {
      meId: null,
      committee: false,
      units: [],
      denied: '',
      chosen: null, // the unit picked: {compound, unit, label}
      preview: null,
      previewError: '',
      previewLoading: false,
      fromId: null,
      candidates: [],
      toId: null,
      busy: false,
      submitError: '',
      result: null,
    },

    onLoad() {
      return this.load()
    },

    // The units I may hand over: every unit of a compound I am on the committee
    // of, and my own liaison units elsewhere; with more than one compound, each
    // unit says which.
    async fetch() {
      await ensureLogin()
      const me = await getMe()
      const committeeOf = roleCompounds(me, HANDOVER_COMMITTEE)
      let units = []
      for (const compound of committeeOf) {
        const full = await getCompound(compound.code)
        units = units.concat(committeeUnits(full).map((u) => Object.assign(u, { committee: true, compoundName: full.name })))
      }
      const mine = liaisonUnits(me).filter((u) => !committeeOf.some((c) => c.code === u.compound))
      units = units.concat(mine.map((u) => Object.assign(u, { committee: false })))
      if (new Set(units.map((u) => u.compound)).size > 1) {
        units.forEach((u) => (u.label = `${u.compoundName} ${u.label}`))
      }
      let denied = ''
      if (!units.length) denied = committeeOf.length ? NO_UNITS : NOT_ALLOWED
      return { meId: me.id, committee: committeeOf.length > 0, units, denied }
    },

    chooseUnit(e) {
      const chosen = this.data.units[Number(e.currentTarget.dataset.index)]
      this.setData({ chosen, preview: null, fromId: null, toId: null, candidates: [], result: null })
      return this.loadPreview()
    },

    // An answer for a unit no longer chosen (tapped another meanwhile) is
    // dropped: its people must never be handed another unit.
    async loadPreview() {
      const { chosen } = this.data
      if (!chosen) return
      const current = () => this.data.chosen && this.data.chosen.key === chosen.key
      this.setData({ previewLoading: true, previewError: '', submitError: '' })
      try {
        // The committee of the unit's compound picks who steps down; a liaison
        // hands over their own unit.
        const preview = previewView(await handoverPreview(chosen.compound, chosen.unit), {
          meId: this.data.meId,
          committee: Boolean(chosen.committee),
        })
        if (!current()) return
        this.setData({
          preview,
          previewLoading: false,
          fromId: preview.fromId,
          candidates: preview.fromId ? candidatesFor(preview, preview.fromId) : [],
        })
      } catch (err) {
        if (current()) this.setData({ previewLoading: false, previewError: errorMessage(err) })
      }
    },

    chooseFrom(e) {
      const fromId = Number(e.currentTarget.dataset.id)
      this.setData({ fromId, toId: null, candidates: candidatesFor(this.data.preview, fromId) })
    },

    chooseTo(e) {
      this.setData({ toId: Number(e.currentTarget.dataset.id), submitError: '' })
    },

    // Cannot be undone by a tap: ask first, in the words of the unit.
    submit() {
      const { chosen, preview, fromId, toId, busy } = this.data
      if (busy || !preview || !fromId || !toId) return Promise.resolve()
      return new Promise((resolve) => {
        wx.showModal({
          title: '确认交接',
          content: confirmText(preview.unitLabel),
          confirmText: '确定交接',
          cancelText: '再想想',
          success: (res) => resolve(res && res.confirm ? this.send(chosen, fromId, toId) : undefined),
          fail: () => resolve(),
        })
      })
    },

    async send(chosen, fromId, toId) {
      this.setData({ busy: true, submitError: '' })
      try {
        const record = await handOver(chosen.compound, { unit: chosen.unit, fromUserId: fromId, toUserId: toId })
        this.setData({ busy: false, result: resultView(record) })
      } catch (err) {
        this.setData({ busy: false, submitError: errorMessage(err) })
      }
    },

    done() {
      wx.navigateBack()
    },
  })
)
