from django import template

from hotline.common.masking import mask_phone
from hotline.console.queries import vulnerable_text

register = template.Library()

#: ['elderly', 'disabled'] → 老年人、残障/卧床 (empty string when none).
register.filter("vulnerable_labels", vulnerable_text)

#: 13812345678 → 138****5678 (lists that name no caller in full).
register.filter("masked_phone", lambda phone: mask_phone(phone) or "—")
