"""Independent derivation of reference values used in src/stats/*.test.ts.

Run with:  python3 src/stats/reference/derive-references.py
Needs mpmath (arbitrary precision) and numpy. Each value is computed here from its textbook formula at
50 significant digits, independently of the TypeScript implementation, and printed to 17 significant
digits; the tests compare against these with relative tolerance 1e-8.
"""
from mpmath import mp, mpf, sqrt, erfinv, log, exp, gammainc, betainc, findroot, loggamma, gamma, hyp2f1, quad, inf, pi
import numpy as np

mp.dps = 50


def show(label, *values):
    print(label, ' '.join(mp.nstr(v, 17) for v in values))


def qnorm(p):
    return sqrt(2) * erfinv(2 * mpf(p) - 1)


def pchisq(x, df):
    return gammainc(mpf(df) / 2, 0, mpf(x) / 2, regularized=True)


def qchisq(p, df):
    p = mpf(p)
    z = qnorm(p)
    c = 2 / (9 * mpf(df))
    guess = df * (1 - c + z * sqrt(c)) ** 3
    if guess <= 0:
        guess = mpf('1e-3')
    return findroot(lambda x: pchisq(x, df) - p, guess, tol=mpf(10) ** -45)


def pt(t, df):
    t = mpf(t)
    df = mpf(df)
    x = df / (df + t * t)
    tail = betainc(df / 2, mpf(1) / 2, 0, x, regularized=True) / 2
    return 1 - tail if t >= 0 else tail


def qt(p, df):
    return findroot(lambda t: pt(t, df) - mpf(p), qnorm(p), tol=mpf(10) ** -45)


print('# normal quantiles (sqrt(2) erfinv(2p - 1))')
for p in ['0.975', '0.25', '1e-10', '0.999', '0.9995', '1e-300']:
    show(f'qnorm({p})', qnorm(mpf(p)))

print('# chi-square quantiles')
for p, df in [('0.95', 1), ('0.998', 1), ('0.025', 18), ('0.975', 20), ('0.0005', 2), ('0.9995', 20), ('0.001', 4)]:
    show(f'qchisq({p}, {df})', qchisq(mpf(p), df))

print('# Student t quantiles')
for p, df in [('0.975', 4), ('0.975', 1), ('0.975', 10), ('0.999', 3), ('0.95', '2.5'), ('0.9995', 30)]:
    show(f'qt({p}, {df})', qt(mpf(p), mpf(df)))


def wilson(x, n, conf='0.95'):
    z = qnorm(1 - (1 - mpf(conf)) / 2)
    x = mpf(x)
    n = mpf(n)
    s = z * sqrt(z * z + 4 * x * (n - x) / n)
    return (2 * x + z * z - s) / (2 * (n + z * z)), (2 * x + z * z + s) / (2 * (n + z * z))


print('# Wilson intervals (Newcombe 1998a Table I examples)')
for x, n in [(81, 263), (15, 148), (0, 20), (1, 29)]:
    show(f'wilson({x}, {n})', *wilson(x, n))
show('wilson(81, 263, 0.998)', *wilson(81, 263, '0.998'))

print('# Exact Poisson limits and Byar limits')
for o in [0, 1, 5, 8, 9]:
    lo = 0 if o == 0 else qchisq(mpf('0.025'), 2 * o) / 2
    hi = qchisq(mpf('0.975'), 2 * o + 2) / 2
    show(f'exact95({o})', lo, hi)
for o in [7, 9]:
    lo = qchisq(mpf('0.001'), 2 * o) / 2
    hi = qchisq(mpf('0.999'), 2 * o + 2) / 2
    show(f'exact998({o})', lo, hi)


def byar(o, conf='0.95'):
    z = qnorm(1 - (1 - mpf(conf)) / 2)
    o = mpf(o)
    return o * (1 - 1 / (9 * o) - z / (3 * sqrt(o))) ** 3, (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * sqrt(o + 1))) ** 3


for o in [10, 48, 82]:
    show(f'byar95({o})', *byar(o))
show('byar998(750)', *byar(750, '0.998'))

print('# Mean of 1..5 with t interval')
t4 = qt(mpf('0.975'), 4)
se = sqrt(mpf('2.5') / 5)
show('mean(1..5)', 3 - t4 * se, 3 + t4 * se)

print('# Welch: Student (1908) sleep data, R: t.test(extra ~ group, data = sleep)')
g1 = [mpf(v) for v in ['0.7', '-1.6', '-0.2', '-1.2', '-0.1', '3.4', '3.7', '0.8', '0.0', '2.0']]
g2 = [mpf(v) for v in ['1.9', '0.8', '1.1', '0.1', '-0.1', '4.4', '5.5', '1.6', '4.6', '3.4']]


def summ(g):
    n = len(g)
    m = sum(g) / n
    v = sum((x - m) ** 2 for x in g) / (n - 1)
    return n, m, v


n1, m1, v1 = summ(g1)
n2, m2, v2 = summ(g2)
show('sleep sd1 sd2', sqrt(v1), sqrt(v2))
va, vb = v1 / n1, v2 / n2
sew = sqrt(va + vb)
dfw = (va + vb) ** 2 / (va ** 2 / (n1 - 1) + vb ** 2 / (n2 - 1))
tw = qt(mpf('0.975'), dfw)
show('welch df lower upper t', dfw, m1 - m2 - tw * sew, m1 - m2 + tw * sew, (m1 - m2) / sew)

print('# Newcombe hybrid score intervals (method 10)')


def newcombe(x1, n1, x2, n2, conf='0.95'):
    p1 = mpf(x1) / n1
    p2 = mpf(x2) / n2
    l1, u1 = wilson(x1, n1, conf)
    l2, u2 = wilson(x2, n2, conf)
    d = p1 - p2
    return d, d - sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


for args in [(56, 70, 48, 80), (9, 10, 3, 10), (6, 7, 2, 7), (5, 56, 0, 29), (0, 10, 0, 20), (0, 10, 0, 10), (10, 10, 0, 20), (10, 10, 0, 10)]:
    show(f'newcombe{args}', *newcombe(*args))
show('newcombe(56,70,48,80, 0.998)', *newcombe(56, 70, 48, 80, '0.998'))

print('# Katz ratio 56/70 vs 48/80')
rr = (mpf(56) / 70) / (mpf(48) / 80)
sek = sqrt(mpf(1) / 56 - mpf(1) / 70 + mpf(1) / 48 - mpf(1) / 80)
z = qnorm(mpf('0.975'))
show('katz', rr, rr * exp(-z * sek), rr * exp(z * sek))

print("# Hedges' g: n 20/20, means 105/100, sd 15/15; and n 10/12, means 3.1/2.4, sd 1.2/0.9")
for (na, ma, sa, nb, mb, sb) in [(20, 105, 15, 20, 100, 15), (10, mpf('3.1'), mpf('1.2'), 12, mpf('2.4'), mpf('0.9'))]:
    m = na + nb - 2
    sp = sqrt(((na - 1) * sa ** 2 + (nb - 1) * sb ** 2) / m)
    d = (ma - mb) / sp
    J = gamma(mpf(m) / 2) / (sqrt(mpf(m) / 2) * gamma(mpf(m - 1) / 2))
    g = J * d
    se_g = sqrt(mpf(na + nb) / (na * nb) + g ** 2 / (2 * (na + nb)))
    show(f'hedges({na},{nb})', d, J, g, g - z * se_g, g + z * se_g)

print("# Armitage chi-square for trend, R's prop.trend.test(smokers, patients) example")
r = [83, 90, 129, 70]
n = [86, 93, 136, 82]
t = [1, 2, 3, 4]
N = sum(n)
R = sum(r)
pbar = mpf(R) / N
tbar = mpf(sum(ni * ti for ni, ti in zip(n, t))) / N
stt = sum(ni * (ti - tbar) ** 2 for ni, ti in zip(n, t))
spt = sum(ri * (ti - tbar) for ri, ti in zip(r, t))
beta = spt / stt
show('armitage beta chi2', beta, beta ** 2 * stt / (pbar * (1 - pbar)))

print('# PHE phe_sii example, Area1 (values, standard errors), weighted least squares by numpy lstsq')
pop = np.array([7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534], dtype=float)
val = np.array([75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3])
se_v = np.array([1.64, 1.58, 1.51, 1.78, 1.7, 1.56, 1.37, 1.4, 2.43, 1.57])
a = pop / pop.sum()
b = np.cumsum(a) - a / 2
X = np.column_stack([np.sqrt(a), b * np.sqrt(a)])
coef, *_ = np.linalg.lstsq(X, val * np.sqrt(a), rcond=None)
b0, b1 = coef
print('sii', repr(b1), 'rii', repr((b0 + b1) / b0), 'intercept', repr(b0))
# analytic SE of the slope: slope = H y with H the second row of (X'X)^-1 X' diag(sqrt a)
H = np.linalg.solve(X.T @ X, X.T) * np.sqrt(a)
sd_slope = np.sqrt(np.sum(H[1] ** 2 * se_v ** 2))
print('sii analytic 95%', repr(b1 - 1.959963984540054 * sd_slope), repr(b1 + 1.959963984540054 * sd_slope))

print('# OLS prediction interval (Draper & Smith 1.4) for y = 10, 12, 13, 15, 18 at t = 2019..2023, forecast 2025')
ts = [mpf(v) for v in [2019, 2020, 2021, 2022, 2023]]
ys = [mpf(v) for v in [10, 12, 13, 15, 18]]
nn = len(ts)
tb = sum(ts) / nn
yb = sum(ys) / nn
Stt = sum((ti - tb) ** 2 for ti in ts)
slope = sum((ti - tb) * (yi - yb) for ti, yi in zip(ts, ys)) / Stt
icpt = yb - slope * tb
s2 = sum((yi - icpt - slope * ti) ** 2 for ti, yi in zip(ts, ys)) / (nn - 2)
t3 = qt(mpf('0.975'), 3)
x0 = mpf(2025)
yhat = icpt + slope * x0
pse = sqrt(s2 * (1 + mpf(1) / nn + (x0 - tb) ** 2 / Stt))
lse = sqrt(s2 * (mpf(1) / nn + (x0 - tb) ** 2 / Stt))
show('forecast 2025 value lower upper lineLower lineUpper', yhat, yhat - t3 * pse, yhat + t3 * pse, yhat - t3 * lse, yhat + t3 * lse)

print('# Spiegelhalter interpolated exact binomial funnel limits, theta = 0.3, n = 50, 95%')


def pbinom(k, n, p):
    if k < 0:
        return mpf(0)
    return sum(mp.binomial(n, i) * mpf(p) ** i * (1 - mpf(p)) ** (n - i) for i in range(0, k + 1))


def spiegel(p, n, theta):
    p = mpf(p)
    r = 0
    while pbinom(r, n, theta) < p:
        r += 1
    up = pbinom(r, n, theta)
    lo = pbinom(r - 1, n, theta)
    return (r - (up - p) / (up - lo)) / n


show('funnel exact n=50 theta=0.3', spiegel('0.025', 50, mpf('0.3')), spiegel('0.975', 50, mpf('0.3')))
show('funnel exact n=50 theta=0.3 99.8%', spiegel('0.001', 50, mpf('0.3')), spiegel('0.999', 50, mpf('0.3')))
th = mpf('0.3')
show('funnel wilson n=100 theta=0.3', th - qnorm(mpf('0.975')) * sqrt(th * (1 - th) / 100), th + qnorm(mpf('0.975')) * sqrt(th * (1 - th) / 100))

print('# Fingertips trend markers on the PHEindicatormethods assign_trend_markers example (years 1..5)')
years = [mpf(v) for v in [1, 2, 3, 4, 5]]
counts = [mpf(v) for v in [1367, 1332, 1199, 1023, 994]]
denoms = [mpf(v) for v in [44701, 44064, 42811, 41527, 40299]]
values = [mpf(v) for v in ['30.6', '30.2', '28', '24.6', '24.67']]
lls = [mpf(v) for v in ['28.98', '28.63', '26.44', '23.15', '23.16']]
uls = [mpf(v) for v in ['32.25', '31.9', '29.64', '26.19', '26.25']]
z95 = qnorm(mpf('0.975'))
w = [1 / ((u - l) / (2 * z95)) ** 2 for l, u in zip(lls, uls)]
sw = sum(w)
tbw = sum(wi * ti for wi, ti in zip(w, years)) / sw
ybw = sum(wi * yi for wi, yi in zip(w, values)) / sw
sttw = sum(wi * (ti - tbw) ** 2 for wi, ti in zip(w, years))
slope_w = sum(wi * (ti - tbw) * (yi - ybw) for wi, ti, yi in zip(w, years, values)) / sttw
show('other: slope chi2', slope_w, slope_w ** 2 * sttw)
Nt = sum(denoms)
Rt = sum(counts)
pb = Rt / Nt
tb = sum(n * t for n, t in zip(denoms, years)) / Nt
stt = sum(n * (t - tb) ** 2 for n, t in zip(denoms, years))
sl = sum(r * (t - tb) for r, t in zip(counts, years)) / stt
show('proportion: slope chi2', sl, sl ** 2 * stt / (pb * (1 - pb)))

print('# PHE assign_trend_markers for proportions, transcribed from PHEindicatormethods R/utils.R')
print('# (calculate_trend_logistic_regression): direction = OLS slope of logit(p) on t, significance = X2')


def phe_logit_beta(num, den, t):
    # beta <- (N * sum(log_x * t) - sum(log_x) * sum(t)) / (N * sum(t^2) - sum(t)^2), log_x = log(p / (1 - p))
    N = len(t)
    lx = [log((r / n) / (1 - r / n)) for r, n in zip(num, den)]
    return (N * sum(a * b for a, b in zip(lx, t)) - sum(lx) * sum(t)) / (N * sum(b * b for b in t) - sum(t) ** 2)


def phe_x2(num, den, t):
    # x2 <- sum_d * (sum_d * sum_ct - sum_c * sum_dt)^2 / (sum_c * (sum_d - sum_c) * (sum_d * sum_dt_2 - sum_dt^2))
    sd = sum(den); sct = sum(c * u for c, u in zip(num, t)); sc = sum(num)
    sdt = sum(d * u for d, u in zip(den, t)); sdt2 = sum(d * u * u for d, u in zip(den, t))
    return sd * (sd * sct - sc * sdt) ** 2 / (sc * (sd - sc) * (sd * sdt2 - sdt ** 2))


def phe_proportion_case(label, num, den, t):
    num = [mpf(v) for v in num]; den = [mpf(v) for v in den]; t = [mpf(v) for v in t]
    beta = phe_logit_beta(num, den, t)
    x2 = phe_x2(num, den, t)
    loo = [phe_logit_beta(num[:j] + num[j + 1:], den[:j] + den[j + 1:], t[:j] + t[j + 1:]) for j in range(len(t))]
    significant = x2 > mpf('9.5495')
    stable = all((b > 0) == (beta > 0) for b in loo)
    trend = 'no-significant-change' if not significant or not stable else ('increasing' if beta > 0 else 'decreasing')
    show(label + ' beta x2', beta, x2)
    show(label + ' leave-one-out betas', *loo)
    print(label, 'trend', trend)


phe_proportion_case('documentation example', counts, denoms, years)
phe_proportion_case('issue 13 example', [13, 380, 42, 748, 714], [20, 1000, 50, 1000, 1000], [2019, 2020, 2021, 2022, 2023])
phe_proportion_case('outlier (last year)', [310, 305, 300, 295, 600], [1000, 1000, 1000, 1000, 1000], [2019, 2020, 2021, 2022, 2023])
