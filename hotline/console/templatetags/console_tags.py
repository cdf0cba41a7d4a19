from django import template

from hotline.console.queries import vulnerable_text

register = template.Library()

#: ['elderly', 'disabled'] → 老年人、残障/卧床 (empty string when none).
register.filter("vulnerable_labels", vulnerable_text)
